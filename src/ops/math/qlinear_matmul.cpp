// QLinearMatMul: quantized matmul; int32 accumulation of the zero-point-shifted operands, then
// requantization to y's scale and zero point.
#include "ops/math/gemm_kernel.h"
#include "ops/math/matmul_plan.h"
#include "ops/math/quantized.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point. Scales and
// zero points are scalars, or per row of a (a's and y's) and per column of b (b's).
void infer(InferContext& ctx) {
  ctx.set_output(0, ctx.input_type(7), matmul_shape(ctx, ctx.input_shape(0), ctx.input_shape(3)));
}

void reference(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(3);
  const MatMulPlan p = plan_matmul(ctx, a.shape(), b.shape());
  const std::vector<int32_t> a32 = shift_by_zero_point(ctx, a, &ctx.input(2), p.m, p.k, "a");
  const std::vector<int32_t> b32 = shift_by_zero_point(ctx, b, &ctx.input(5), p.n, 1, "b");
  const std::vector<double> a_scale = per_axis_values(ctx, ctx.input(1), p.m, "a_scale");
  const std::vector<double> b_scale = per_axis_values(ctx, ctx.input(4), p.n, "b_scale");
  const std::vector<double> y_scale = per_axis_values(ctx, ctx.input(6), p.m, "y_scale");
  const std::vector<double> y_zero = per_axis_values(ctx, ctx.input(7), p.m, "y_zero_point");
  std::vector<int32_t> acc(size_t(p.a_offsets.size() * size_t(p.m * p.n)));
  for (size_t i = 0; i < p.a_offsets.size(); ++i)
    gemm<int32_t>(false, false, p.m, p.n, p.k, 1, a32.data() + p.a_offsets[i], p.k,
                  b32.data() + p.b_offsets[i], p.n, 0, acc.data() + int64_t(i) * p.m * p.n, p.n);
  auto pick = [](const std::vector<double>& v, int64_t i) {
    return v[v.size() == 1 ? 0 : size_t(i)];
  };
  Tensor& y = ctx.output(0);
  visit_quantized(ctx, y.element_type(), "y", [&]<class Q>() {
    auto out = y.span<Q>();
    for (size_t e = 0; e < out.size(); ++e) {
      const int64_t row = (int64_t(e) / p.n) % p.m, col = int64_t(e) % p.n;
      // The scale ratio in float, as the reference computes it, then applied in double.
      const float scale =
          float(pick(a_scale, row)) * float(pick(b_scale, col)) / float(pick(y_scale, row));
      out[e] = saturate_round<Q>(double(acc[e]) * double(scale) + pick(y_zero, row));
    }
  });
}

}  // namespace

const OpDef& qlinear_matmul_op() {
  static const OpDef def{.name = "QLinearMatMul",
                         .domain = "",
                         .versions = {10},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
