// Clip: y = min(max(x, lo), hi).
#include <limits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Until opset 6 the bounds are float attributes (defaults: the float range); opset 11 moved
// them to optional scalar inputs of x's type, and opset 12 allowed every numeric type.
template <class T>
std::pair<T, T> bounds(const KernelContext& ctx) {
  using C = compute_t<T>;
  C lo = std::numeric_limits<C>::lowest(), hi = std::numeric_limits<C>::max();
  if (ctx.opset() < 11) {
    if (ctx.has_attr("min")) lo = C(ctx.attr<float>("min"));
    if (ctx.has_attr("max")) hi = C(ctx.attr<float>("max"));
    return {T(lo), T(hi)};
  }
  T bound[2] = {T(lo), T(hi)};
  for (int i : {1, 2}) {
    if (!ctx.has_input(i)) continue;
    const Tensor& t = ctx.input(i);
    if (t.size() != 1)
      throw ctx.error(ErrorKind::InvalidArgument, "input {} must be a scalar, got shape {}", i,
                      to_string(t.shape()));
    if (t.element_type() != element_type_of<T>())
      throw ctx.error(ErrorKind::InvalidArgument, "input {} has element type {}, expected {}", i,
                      to_string(t.element_type()), to_string(element_type_of<T>()));
    bound[i - 1] = t.span<const T>()[0];
  }
  return {bound[0], bound[1]};
}

void infer(InferContext& ctx) {
  for (int i : {1, 2}) {
    if (ctx.opset() < 11 || !ctx.has_input(i)) continue;
    const PartialShape& shape = ctx.input_shape(i);
    if (shape.is_static() && shape_size(shape.to_shape()) != 1)
      throw ctx.error(ErrorKind::InvalidModel, "input {} must be a scalar, got shape {}", i,
                      to_string(shape));
  }
  infer_unary(ctx);
}

// lo > hi gives hi (numpy's clip); NaN stays NaN.
void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  visit_numeric(x.element_type(), [&]<class T>() {
    auto [lo_t, hi_t] = bounds<T>(ctx);
    const auto lo = widen(lo_t), hi = widen(hi_t);
    map_unary<T, T>(x, ctx.output(0), [&](auto v) {
      auto y = v < lo ? lo : v;
      return y > hi ? hi : y;
    });
  });
}

}  // namespace

const OpDef& clip_op() {
  static const OpDef def{
      .name = "Clip", .versions = {1, 6, 11, 12, 13}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
