// Softmax, LogSoftmax and Hardmax: the three "pick along an axis" normalisations.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

// Before opset 13 the input is coerced to 2-D, [prod(shape[:axis]), prod(shape[axis:])], and each
// row is normalised as a whole; from 13 the op works along the one axis. Both are a walk over
// `outer` blocks of `n` elements `inner` apart: before 13 inner is 1 and n spans the tail.
struct AxisLayout {
  int64_t outer = 1, n = 1, inner = 1;
};

int64_t default_axis(int opset) { return opset < 13 ? 1 : -1; }

AxisLayout layout_of(const NodeContext& ctx, const Shape& shape) {
  if (shape.empty()) return {};  // a scalar is one row of one element
  const int64_t axis =
      normalize_axis(ctx, ctx.attr<int64_t>("axis", default_axis(ctx.opset())), shape.size());
  AxisLayout l;
  for (int64_t d = 0; d < axis; ++d) l.outer *= shape[d];
  if (ctx.opset() < 13) {
    for (size_t d = axis; d < shape.size(); ++d) l.n *= shape[d];
    return l;
  }
  l.n = shape[axis];
  for (size_t d = axis + 1; d < shape.size(); ++d) l.inner *= shape[d];
  return l;
}

void infer(InferContext& ctx) {
  const PartialShape& shape = ctx.input_shape(0);
  if (shape.rank_known() && shape.rank() > 0)
    normalize_axis(ctx, ctx.attr<int64_t>("axis", default_axis(ctx.opset())), shape.rank());
  ctx.set_output(0, ctx.input_type(0), shape);
}

enum class Kind { Softmax, LogSoftmax, Hardmax };

template <Kind kind, class T>
void normalize_lines(const T* x, T* y, const AxisLayout& l) {
  using C = compute_t<T>;
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t i = 0; i < l.inner; ++i) {
      const T* xs = x + o * l.n * l.inner + i;
      T* ys = y + o * l.n * l.inner + i;
      if (l.n == 0) continue;
      int64_t arg = 0;
      C max = C(xs[0]);
      for (int64_t k = 1; k < l.n; ++k)
        if (C(xs[k * l.inner]) > max) max = C(xs[k * l.inner]), arg = k;
      if constexpr (kind == Kind::Hardmax) {
        for (int64_t k = 0; k < l.n; ++k) ys[k * l.inner] = T(C(k == arg ? 1 : 0));
        continue;
      }
      // Accumulating in double keeps long rows of float16/float exact enough.
      double sum = 0;
      for (int64_t k = 0; k < l.n; ++k) sum += std::exp(double(C(xs[k * l.inner])) - double(max));
      if constexpr (kind == Kind::Softmax) {
        for (int64_t k = 0; k < l.n; ++k)
          ys[k * l.inner] = T(C(std::exp(double(C(xs[k * l.inner])) - double(max)) / sum));
      } else {
        const double log_sum = std::log(sum);
        for (int64_t k = 0; k < l.n; ++k)
          ys[k * l.inner] = T(C(double(C(xs[k * l.inner])) - double(max) - log_sum));
      }
    }
  }
}

template <Kind kind>
void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const AxisLayout l = layout_of(ctx, x.shape());
  Tensor& y = ctx.output(0);
  visit_float(x.element_type(),
              [&]<class T>() { normalize_lines<kind>(x.data<T>(), y.data<T>(), l); });
}

}  // namespace

const OpDef& softmax_op() {
  static const OpDef def{.name = "Softmax",
                         .domain = "",
                         .versions = {1, 11, 13},
                         .infer = infer,
                         .reference = reference<Kind::Softmax>};
  return def;
}

const OpDef& log_softmax_op() {
  static const OpDef def{.name = "LogSoftmax",
                         .domain = "",
                         .versions = {1, 11, 13},
                         .infer = infer,
                         .reference = reference<Kind::LogSoftmax>};
  return def;
}

const OpDef& hardmax_op() {
  static const OpDef def{.name = "Hardmax",
                         .domain = "",
                         .versions = {1, 11, 13},
                         .infer = infer,
                         .reference = reference<Kind::Hardmax>};
  return def;
}

}  // namespace tandem::ops
