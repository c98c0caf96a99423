// QLinearMatMul: quantized matmul; int32 accumulation of the zero-point-shifted operands (double
// where an operand is float8), then requantization to y's scale and zero point.
#include "ops/dispatch.h"
#include "ops/math/gemm_kernel.h"
#include "ops/math/matmul_plan.h"
#include "ops/math/quantized.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point. Scales and
// zero points are scalars, or per row of a (a's and y's) and per column of b (b's).
// Opset 21 added float16 and bfloat16 scales (opset 10: float only) and the float8 types for a,
// b and y. A float8 y is the requantized value converted with saturation, not rounded to an
// integer first, as QuantizeLinear does for float8.
bool is_float8(ElementType t) {
  return t == ElementType::F8E4M3FN || t == ElementType::F8E4M3FNUZ || t == ElementType::F8E5M2 ||
         t == ElementType::F8E5M2FNUZ;
}

void check_types(const NodeContext& ctx, ElementType a, ElementType b, ElementType y,
                 ElementType a_scale, ElementType b_scale, ElementType y_scale) {
  auto quantized = [&](ElementType t, const char* name) {
    const bool ok = t == ElementType::Undefined || t == ElementType::U8 || t == ElementType::I8 ||
                    (ctx.opset() >= 21 && is_float8(t));
    if (!ok)
      throw ctx.error(ErrorKind::InvalidModel, "{} is {}, expected uint8 or int8{}", name,
                      to_string(t), ctx.opset() >= 21 ? " or a float8 type" : "");
  };
  quantized(a, "a");
  quantized(b, "b");
  quantized(y, "y_zero_point");
  for (auto [t, name] :
       {std::pair{a_scale, "a_scale"}, {b_scale, "b_scale"}, {y_scale, "y_scale"}}) {
    const bool ok = t == ElementType::Undefined || t == ElementType::F32 ||
                    (ctx.opset() >= 21 && (t == ElementType::F16 || t == ElementType::BF16));
    if (!ok)
      throw ctx.error(ErrorKind::InvalidModel, "{} is {}, expected float{}", name, to_string(t),
                      ctx.opset() >= 21 ? ", float16 or bfloat16" : "");
  }
  if (a_scale != ElementType::Undefined && b_scale != ElementType::Undefined &&
      y_scale != ElementType::Undefined && (a_scale != b_scale || a_scale != y_scale))
    throw ctx.error(ErrorKind::InvalidModel, "the scales must share one type, got {}, {} and {}",
                    to_string(a_scale), to_string(b_scale), to_string(y_scale));
}

void infer(InferContext& ctx) {
  check_types(ctx, ctx.input_type(0), ctx.input_type(3), ctx.input_type(7), ctx.input_type(1),
              ctx.input_type(4), ctx.input_type(6));
  ctx.set_output(0, ctx.input_type(7), matmul_shape(ctx, ctx.input_shape(0), ctx.input_shape(3)));
}

// t minus its zero point as doubles, indexed as shift_by_zero_point does.
std::vector<double> shift_to_double(const NodeContext& ctx, const Tensor& t,
                                    const Tensor& zero_point, int64_t count, int64_t inner,
                                    const char* name) {
  if (zero_point.element_type() != t.element_type())
    throw ctx.error(ErrorKind::InvalidModel, "{}'s zero point is {}, the tensor is {}", name,
                    to_string(zero_point.element_type()), to_string(t.element_type()));
  std::vector<double> v = t.to_double();
  const std::vector<double> zp = per_axis_values(ctx, zero_point, count, name);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] -= zp[zp.size() == 1 ? 0 : size_t((int64_t(i) / inner) % count)];
  return v;
}

// The products a·b for every output element: exact int32 for the 8-bit integers, double where a
// float8 operand makes the shifted values fractional.
std::vector<double> accumulate(const KernelContext& ctx, const MatMulPlan& p) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(3);
  const size_t outputs = p.a_offsets.size() * size_t(p.m * p.n);
  if (!is_float8(a.element_type()) && !is_float8(b.element_type())) {
    const std::vector<int32_t> a32 = shift_by_zero_point(ctx, a, &ctx.input(2), p.m, p.k, "a");
    const std::vector<int32_t> b32 = shift_by_zero_point(ctx, b, &ctx.input(5), p.n, 1, "b");
    std::vector<int32_t> acc(outputs);
    for (size_t i = 0; i < p.a_offsets.size(); ++i)
      gemm<int32_t>(false, false, p.m, p.n, p.k, 1, a32.data() + p.a_offsets[i], p.k,
                    b32.data() + p.b_offsets[i], p.n, 0, acc.data() + int64_t(i) * p.m * p.n, p.n);
    return std::vector<double>(acc.begin(), acc.end());
  }
  const std::vector<double> ad = shift_to_double(ctx, a, ctx.input(2), p.m, p.k, "a");
  const std::vector<double> bd = shift_to_double(ctx, b, ctx.input(5), p.n, 1, "b");
  std::vector<double> acc(outputs);
  for (size_t i = 0; i < p.a_offsets.size(); ++i)
    gemm<double>(false, false, p.m, p.n, p.k, 1, ad.data() + p.a_offsets[i], p.k,
                 bd.data() + p.b_offsets[i], p.n, 0, acc.data() + int64_t(i) * p.m * p.n, p.n);
  return acc;
}

void reference(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(3);
  Tensor& y = ctx.output(0);
  check_types(ctx, a.element_type(), b.element_type(), y.element_type(),
              ctx.input(1).element_type(), ctx.input(4).element_type(),
              ctx.input(6).element_type());
  const MatMulPlan p = plan_matmul(ctx, a.shape(), b.shape());
  const std::vector<double> acc = accumulate(ctx, p);
  const std::vector<double> a_scale = per_axis_values(ctx, ctx.input(1), p.m, "a_scale");
  const std::vector<double> b_scale = per_axis_values(ctx, ctx.input(4), p.n, "b_scale");
  const std::vector<double> y_scale = per_axis_values(ctx, ctx.input(6), p.m, "y_scale");
  const std::vector<double> y_zero = per_axis_values(ctx, ctx.input(7), p.m, "y_zero_point");
  auto pick = [](const std::vector<double>& v, int64_t i) {
    return v[v.size() == 1 ? 0 : size_t(i)];
  };
  // Per (row, column), the scale ratio in the scales' own type, rounded after each step as numpy
  // computes a_scale * b_scale / y_scale; it is then applied in double.
  std::vector<double> ratio(size_t(p.m * p.n));
  visit_float(ctx.input(1).element_type(), [&]<class S>() {
    using C = compute_t<S>;
    auto as = [](double v) { return C(S(C(v))); };
    for (int64_t row = 0; row < p.m; ++row)
      for (int64_t col = 0; col < p.n; ++col) {
        const C product = C(S(as(pick(a_scale, row)) * as(pick(b_scale, col))));
        ratio[size_t(row * p.n + col)] = double(C(S(product / as(pick(y_scale, row)))));
      }
  });
  auto requantize = [&]<class Q>(auto convert) {
    auto out = y.span<Q>();
    for (size_t e = 0; e < out.size(); ++e) {
      const int64_t row = (int64_t(e) / p.n) % p.m, col = int64_t(e) % p.n;
      out[e] = convert(acc[e] * ratio[size_t(row * p.n + col)] + pick(y_zero, row));
    }
  };
  if (is_float8(y.element_type())) {
    visit_types<kFloat8>(y.element_type(), [&]<class Q>() {
      requantize.template operator()<Q>([](double v) { return Q::from_float(v, true); });
    });
    return;
  }
  visit_quantized(ctx, y.element_type(), "y", [&]<class Q>() {
    requantize.template operator()<Q>([](double v) { return saturate_round<Q>(v); });
  });
}

}  // namespace

const OpDef& qlinear_matmul_op() {
  static const OpDef def{.name = "QLinearMatMul",
                         .domain = "",
                         .versions = {10, 21},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
