// ArgMax and ArgMin: the index of the extreme element along one axis, as int64.
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

// Versions: 1; 11 allows negative axes; 12 adds select_last_index (ties pick the last index
// instead of the first); 13 adds bfloat16. A NaN counts as the extreme, as in numpy.
void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (!x.rank_known()) {
    ctx.set_output(0, ElementType::I64, PartialShape());
    return;
  }
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), x.rank());
  const bool keepdims = ctx.attr<int64_t>("keepdims", 1) != 0;
  std::vector<Dimension> dims;
  for (size_t d = 0; d < x.rank(); ++d) {
    if (int64_t(d) != axis)
      dims.push_back(x[d]);
    else if (keepdims)
      dims.push_back(Dimension(1));
  }
  ctx.set_output(0, ElementType::I64, PartialShape(dims));
}

template <bool is_max>
void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), shape.size());
  const bool last = ctx.opset() >= 12 && ctx.attr<int64_t>("select_last_index", 0) != 0;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t n = shape[axis];
  if (n == 0 && outer * inner > 0)
    throw ctx.error(ErrorKind::InvalidArgument, "cannot take {} along empty axis {} of shape {}",
                    is_max ? "ArgMax" : "ArgMin", axis, to_string(shape));
  int64_t* ys = ctx.output(0).data<int64_t>();
  visit_numeric(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    // Whether a replaces the best b so far: strictly better, or equal when picking the last.
    auto better = [&](C a, C b) {
      if constexpr (is_floating_v<T>) {
        if (std::isnan(b)) return false;
        if (std::isnan(a)) return true;
      }
      return is_max ? (a > b || (last && a == b)) : (a < b || (last && a == b));
    };
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const T* line = xs + o * n * inner + i;
        int64_t best = 0;
        for (int64_t k = 1; k < n; ++k)
          if (better(C(line[k * inner]), C(line[best * inner]))) best = k;
        ys[o * inner + i] = best;
      }
  });
}

}  // namespace

const OpDef& arg_max_op() {
  static const OpDef def{.name = "ArgMax",
                         .domain = "",
                         .versions = {1, 11, 12, 13},
                         .infer = infer,
                         .reference = reference<true>};
  return def;
}

const OpDef& arg_min_op() {
  static const OpDef def{.name = "ArgMin",
                         .domain = "",
                         .versions = {1, 11, 12, 13},
                         .infer = infer,
                         .reference = reference<false>};
  return def;
}

}  // namespace tandem::ops
