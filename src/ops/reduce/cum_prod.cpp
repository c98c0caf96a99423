// CumProd (opset 26): running products along one axis, optionally exclusive and/or reversed.
#include <cstdint>
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

// The axis is a scalar (or one-element 1-D) int32/int64 input, as for CumSum. An exclusive
// product starts from 1. Integer products wrap as the element type would (no signed overflow).
template <class C>
C multiply(C a, C b) {
  if constexpr (std::is_integral_v<C>)
    return C(uint64_t(a) * uint64_t(b));
  else
    return C(a * b);
}

void infer(InferContext& ctx) {
  const PartialShape& axis = ctx.input_shape(1);
  if (axis.rank_known() && axis.rank() > 1)
    throw ctx.error(ErrorKind::InvalidModel, "axis must be a scalar, got shape {}",
                    to_string(axis));
  ctx.set_output(0, ctx.input_type(0), ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  const Tensor& axis_tensor = ctx.input(1);
  if (axis_tensor.size() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "axis must hold one value, got shape {}",
                    to_string(axis_tensor.shape()));
  if (shape.empty()) throw ctx.error(ErrorKind::InvalidArgument, "input must not be a scalar");
  const int64_t axis = normalize_axis(ctx, axis_tensor.to_int64()[0], shape.size());
  const bool exclusive = ctx.attr<int64_t>("exclusive", 0) != 0;
  const bool reverse = ctx.attr<int64_t>("reverse", 0) != 0;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t n = shape[axis];
  visit_types<kFloat | kInteger>(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = ctx.output(0).data<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * n * inner + i;
        C product = C(1);
        for (int64_t step = 0; step < n; ++step) {
          const int64_t at = base + (reverse ? n - 1 - step : step) * inner;
          const C v = C(xs[at]);
          if (!exclusive) product = multiply(product, v);
          ys[at] = T(product);
          if (exclusive) product = multiply(product, v);
        }
      }
  });
}

}  // namespace

const OpDef& cum_prod_op() {
  static const OpDef def{
      .name = "CumProd", .domain = "", .versions = {26}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
