// OneHot: indices to one-hot vectors along a new axis, with given off and on values.
#include "ops/tensor/tensor_common.h"

#include <cmath>

namespace tandem::ops {
namespace {
int64_t depth_of(const NodeContext& ctx, const Tensor& depth) {
  if (depth.size() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "depth must hold one value, got {}", describe(depth));
  const double d = depth.to_double()[0];
  if (!(d >= 1) || d > 1e12) throw ctx.error(ErrorKind::InvalidArgument, "depth {} is not positive", d);
  return int64_t(d);
}

void infer(InferContext& ctx) {
  const PartialShape& indices = ctx.input_shape(0);
  const ElementType type = ctx.input_type(2);
  if (!indices.rank_known()) {
    ctx.set_output(0, type, PartialShape());
    return;
  }
  const size_t rank = indices.rank() + 1;
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), rank));
  std::vector<Dimension> out = indices.dims();
  Dimension depth;
  if (const Tensor* d = ctx.input_tensor(1)) depth = depth_of(ctx, *d);
  out.insert(out.begin() + int64_t(axis), depth);
  ctx.set_output(0, type, PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& index_tensor = ctx.input(0);
  const int64_t depth = depth_of(ctx, ctx.input(1));
  const Tensor& values = ctx.input(2);
  if (values.size() != 2)
    throw ctx.error(ErrorKind::InvalidArgument, "values must hold [off, on], got {}", describe(values));
  const size_t rank = index_tensor.rank() + 1;
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), rank));
  Shape out_shape = index_tensor.shape();
  out_shape.insert(out_shape.begin() + int64_t(axis), depth);
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= out_shape[d];
  for (size_t d = axis + 1; d < rank; ++d) inner *= out_shape[d];
  const std::vector<double> indices = index_tensor.to_double();
  Tensor& y = ctx.allocate_output(0, values.element_type(), out_shape);
  visit_storage(values.element_type(), [&]<class S>() {
    const S off = storage<S>(values)[0], on = storage<S>(values)[1];
    S* dst = storage<S>(y);
    std::fill_n(dst, y.size(), off);
    // Indices outside [-depth, depth) give all-off rows, as the spec says.
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t k = int64_t(std::trunc(indices[size_t(o * inner + i)]));
        if (k < 0) k += depth;
        if (k >= 0 && k < depth) dst[(o * depth + k) * inner + i] = on;
      }
  });
}
}  // namespace

const OpDef& one_hot_op() {
  static const OpDef def{
      .name = "OneHot", .versions = {9, 11, 28}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
