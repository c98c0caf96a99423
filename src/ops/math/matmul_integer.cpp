// MatMulInteger: int32 matmul of uint8/int8 operands shifted by their zero points.
#include "ops/math/gemm_kernel.h"
#include "ops/math/matmul_plan.h"
#include "ops/math/quantized.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

void infer(InferContext& ctx) {
  ctx.set_output(0, ElementType::I32, matmul_shape(ctx, ctx.input_shape(0), ctx.input_shape(1)));
}

// A's zero point is a scalar or one per row of A (M values); B's a scalar or one per column (N).
void reference(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  const MatMulPlan p = plan_matmul(ctx, a.shape(), b.shape());
  const std::vector<int32_t> a32 =
      shift_by_zero_point(ctx, a, ctx.has_input(2) ? &ctx.input(2) : nullptr, p.m, p.k, "A");
  const std::vector<int32_t> b32 =
      shift_by_zero_point(ctx, b, ctx.has_input(3) ? &ctx.input(3) : nullptr, p.n, 1, "B");
  int32_t* y = ctx.output(0).data<int32_t>();
  for (size_t i = 0; i < p.a_offsets.size(); ++i)
    gemm<int32_t>(false, false, p.m, p.n, p.k, 1, a32.data() + p.a_offsets[i], p.k,
                  b32.data() + p.b_offsets[i], p.n, 0, y + int64_t(i) * p.m * p.n, p.n);
}

}  // namespace

const OpDef& matmul_integer_op() {
  static const OpDef def{.name = "MatMulInteger",
                         .domain = "",
                         .versions = {10},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
