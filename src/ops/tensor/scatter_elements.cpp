// ScatterElements (and the deprecated Scatter): a copy of `data` with `updates` written at the
// positions `indices` gives along `axis`, optionally combined by a reduction.
#include "ops/tensor/scatter_reduction.h"
#include "ops/tensor/tensor_common.h"

#include <algorithm>

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  check_index_type(ctx, 1);
  if (ctx.input_type(2) != ctx.input_type(0))
    throw ctx.error(ErrorKind::InvalidModel, "updates are {}, data {}", to_string(ctx.input_type(2)),
                    to_string(ctx.input_type(0)));
  const PartialShape& data = ctx.input_shape(0);
  if (data.rank_known()) normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), data.rank());
  ctx.set_output(0, ctx.input_type(0), data);
}

template <class T, class Combine>
void scatter(const NodeContext& ctx, const Tensor& x, const Tensor& indices_tensor, const Tensor& updates,
             size_t axis, Tensor& y, Combine combine) {
  const size_t rank = x.rank();
  const Shape& shape = indices_tensor.shape();
  const std::vector<int64_t> indices = indices_tensor.to_int64();
  const std::vector<int64_t> strides = strides_of(x.shape());
  const int64_t dim = x.shape()[axis];
  const T* src = static_cast<const T*>(updates.data());
  T* dst = static_cast<T*>(y.data());
  std::vector<int64_t> pos(rank, 0);
  int64_t base = 0;
  for (size_t n = 0; n < indices.size(); ++n) {
    T& target = dst[base + checked_index(ctx, indices[n], dim) * strides[axis]];
    combine(target, src[n]);
    for (size_t d = rank; d-- > 0;) {
      if (d != axis) base += strides[d];
      if (++pos[d] < shape[d]) break;
      if (d != axis) base -= strides[d] * pos[d];
      pos[d] = 0;
    }
  }
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const Tensor& updates = ctx.input(2);
  const size_t rank = x.rank();
  if (rank == 0 || indices.rank() != rank || updates.shape() != indices.shape() ||
      updates.element_type() != x.element_type())
    throw ctx.error(ErrorKind::InvalidArgument,
                    "data {}, indices {} and updates {} must share a rank, indices and updates a shape",
                    describe(x), describe(indices), describe(updates));
  if (indices.element_type() != ElementType::I32 && indices.element_type() != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "indices must be i32 or i64, got {}", describe(indices));
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), rank));
  for (size_t d = 0; d < rank; ++d)
    if (d != axis && indices.shape()[d] > x.shape()[d])
      throw ctx.error(ErrorKind::InvalidArgument, "indices {} exceed data {} on dim {}", describe(indices),
                      describe(x), d);
  Tensor y = x.clone();
  ctx.set_output(0, y);
  const ScatterReduction reduction = scatter_reduction(ctx);
  if (reduction == ScatterReduction::None) {
    visit_storage(x.element_type(), [&]<class S>() {
      scatter<S>(ctx, x, indices, updates, axis, y, [](S& t, const S& u) { t = u; });
    });
    return;
  }
  visit_numeric(x.element_type(), [&]<class T>() {
    scatter<T>(ctx, x, indices, updates, axis, y, [&](T& t, const T& u) { scatter_combine(reduction, t, u); });
  });
}
}  // namespace

const OpDef& scatter_elements_op() {
  static const OpDef def{.name = "ScatterElements",
                         .versions = {11, 13, 16, 18},
                         .infer = infer,
                         .reference = reference};
  return def;
}

// Scatter is ScatterElements under its old name (opset 9, deprecated in 11).
const OpDef& scatter_op() {
  static const OpDef def{.name = "Scatter", .versions = {9, 11}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
