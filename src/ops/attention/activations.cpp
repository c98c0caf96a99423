// The smooth activations of transformer blocks: Gelu (20, and in tandem's domain for the graph
// passes to make of a Gelu written out in older opsets), Mish (18, 22), Swish (24) and the gated
// SwiGLU (28). Each computes in double and rounds to the element type; where the reference
// rounds a sigmoid to the element type before multiplying (Swish, SwiGLU), so do these kernels.
#include <cmath>
#include <numbers>
#include <string>

#include "ops/attention/attention_common.h"
#include "ops/op.h"
#include "ops/tandem_domain.h"

namespace tandem::ops {
namespace {

// Output 0 like input 0, which must be floating; Mish-18 predates bfloat16.
void infer_same(InferContext& ctx) {
  check_floating_input(ctx, 0, "X");
  if (ctx.node().op_type == "Mish" && ctx.opset() < 22 && ctx.input_type(0) == ElementType::BF16)
    throw ctx.error(ErrorKind::Unsupported, "bfloat16 needs Mish-22 (opset 22)");
  ctx.set_output(0, ctx.input_type(0), ctx.input_shape(0));
}

// y[i] = f(x[i]) computed in double, rounded to T; f receives T's rounding as `round`.
template <class F>
void map_float(KernelContext& ctx, F&& f) {
  const Tensor& x = ctx.input(0);
  visit_float(x.element_type(), [&]<class T>() {
    const T* in = x.data<T>();
    T* out = ctx.output(0).data<T>();
    for (int64_t i = 0; i < x.size(); ++i)
      out[i] = T(compute_t<T>(f(double(compute_t<T>(in[i])), round_as<T>)));
  });
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

void gelu(KernelContext& ctx) {
  const std::string approximate = ctx.attr<std::string>("approximate", "none");
  if (approximate == "none") {
    map_float(ctx,
              [](double x, auto) { return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2)); });
    return;
  }
  if (approximate != "tanh")
    throw ctx.error(ErrorKind::InvalidModel, "approximate '{}' is not 'none' or 'tanh'",
                    approximate);
  const double k = std::sqrt(2.0 / std::numbers::pi);
  map_float(ctx, [k](double x, auto) {
    return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
  });
}

void mish(KernelContext& ctx) {
  map_float(ctx, [](double x, auto) { return x * std::tanh(std::log1p(std::exp(x))); });
}

void swish(KernelContext& ctx) {
  const double alpha = ctx.attr<float>("alpha", 1.0f);
  map_float(ctx, [alpha](double x, auto round) { return x * round(sigmoid(alpha * x)); });
}

void infer_swiglu(InferContext& ctx) {
  check_floating_input(ctx, 0, "A");
  check_floating_input(ctx, 1, "B");
  const ElementType a = ctx.input_type(0), b = ctx.input_type(1);
  if (a != ElementType::Undefined && b != ElementType::Undefined && a != b)
    throw ctx.error(ErrorKind::InvalidModel, "A is {} but B is {}", to_string(a), to_string(b));
  const PartialShape& sa = ctx.input_shape(0);
  const PartialShape& sb = ctx.input_shape(1);
  if (sa.is_static() && sb.is_static() && sa != sb)
    throw ctx.error(ErrorKind::InvalidModel,
                    "A {} and B {} must have the same shape (no broadcasting)", to_string(sa),
                    to_string(sb));
  ctx.set_output(0, a, sa.rank_known() ? sa : sb);
}

// Y = Swish_alpha(A) * B, with each product rounded to the element type as the reference does.
void swiglu(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (a.shape() != b.shape() || a.element_type() != b.element_type())
    throw ctx.error(ErrorKind::InvalidArgument, "A {} and B {} must have the same type and shape",
                    describe(a), describe(b));
  const double alpha = ctx.attr<float>("alpha", 1.0f);
  visit_float(a.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* out = ctx.output(0).data<T>();
    for (int64_t i = 0; i < a.size(); ++i) {
      const double x = double(C(pa[i]));
      const double gate = round_as<T>(x * round_as<T>(sigmoid(alpha * x)));
      out[i] = T(C(gate * double(C(pb[i]))));
    }
  });
}

}  // namespace

const OpDef& gelu_op() {
  static const OpDef def{.name = "Gelu", .versions = {20}, .infer = infer_same, .reference = gelu};
  return def;
}

const OpDef& tandem_gelu_op() {
  static const OpDef def{.name = "Gelu",
                         .domain = kTandemDomain,
                         .versions = {kTandemOpset},
                         .infer = infer_same,
                         .reference = gelu};
  return def;
}

const OpDef& mish_op() {
  static const OpDef def{
      .name = "Mish", .versions = {18, 22}, .infer = infer_same, .reference = mish};
  return def;
}

const OpDef& swish_op() {
  static const OpDef def{
      .name = "Swish", .versions = {24}, .infer = infer_same, .reference = swish};
  return def;
}

const OpDef& swiglu_op() {
  static const OpDef def{
      .name = "SwiGLU", .versions = {28}, .infer = infer_swiglu, .reference = swiglu};
  return def;
}

}  // namespace tandem::ops
