// TopK: the k largest (or smallest) elements along an axis, with their indices.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

// Versions: 1 has k as an attribute; 10 moves k to a 1-D one-element int64 input; 11 adds
// `largest` (0: the smallest) and `sorted`, and allows negative axes; 24 only adds bfloat16.
// Equal values keep the lower index first; we always return sorted results, which satisfies
// sorted=0 too.
std::optional<int64_t> k_of(const InferContext& ctx) {
  if (ctx.opset() < 10) return ctx.attr<int64_t>("k");
  const Tensor* t = ctx.input_tensor(1);
  if (!t) return std::nullopt;
  return t->to_int64().at(0);
}

int64_t k_of(const KernelContext& ctx) {
  if (ctx.opset() < 10) return ctx.attr<int64_t>("k");
  const Tensor& t = ctx.input(1);
  if (t.size() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "K must hold one value, got shape {}",
                    to_string(t.shape()));
  return t.to_int64()[0];
}

void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (!x.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    ctx.set_output(1, ElementType::I64, PartialShape());
    return;
  }
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), x.rank());
  const std::optional<int64_t> k = k_of(ctx);
  // K from an input is data, so a bad one is a bad argument; as an attribute, a bad model.
  const ErrorKind kind = ctx.opset() < 10 ? ErrorKind::InvalidModel : ErrorKind::InvalidArgument;
  if (k && (*k < 0 || (x[axis].is_static() && *k > x[axis].value)))
    throw ctx.error(kind, "K {} is outside [0, {}] for axis {}", *k,
                    x[axis].is_static() ? fmt::to_string(x[axis].value) : "?", axis);
  std::vector<Dimension> dims = x.dims();
  dims[axis] = k ? Dimension(*k) : Dimension();
  ctx.set_output(0, ctx.input_type(0), PartialShape(dims));
  ctx.set_output(1, ElementType::I64, PartialShape(dims));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), shape.size());
  const int64_t k = k_of(ctx);
  const int64_t n = shape[axis];
  if (k < 0 || k > n)
    throw ctx.error(ErrorKind::InvalidArgument, "K {} is outside [0, {}] for axis {}", k, n, axis);
  const bool largest = ctx.opset() < 11 || ctx.attr<int64_t>("largest", 1) != 0;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  int64_t* indices = ctx.output(1).data<int64_t>();
  visit_numeric(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* values = ctx.output(0).data<T>();
    std::vector<C> line(n);
    std::vector<int64_t> order(n);
    // NaN sorts above every number, so it is "largest", as in numpy and ONNX Runtime.
    auto above = [](C a, C b) {
      if constexpr (is_floating_v<T>)
        if (std::isnan(a) || std::isnan(b)) return !std::isnan(b);
      return a > b;
    };
    auto before = [&](int64_t a, int64_t b) {
      if (above(line[a], line[b])) return largest;
      if (above(line[b], line[a])) return !largest;
      return a < b;
    };
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * n * inner + i;
        for (int64_t j = 0; j < n; ++j) line[j] = C(xs[base + j * inner]);
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = (o * k + j) * inner + i;
          values[at] = xs[base + order[j] * inner];
          indices[at] = order[j];
        }
      }
  });
}

}  // namespace

const OpDef& top_k_op() {
  static const OpDef def{.name = "TopK",
                         .domain = "",
                         .versions = {1, 10, 11, 24},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
