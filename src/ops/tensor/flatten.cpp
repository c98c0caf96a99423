// Flatten: a tensor as a matrix, the dims before `axis` forming the rows.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Opset 11 allowed a negative axis, counted from the back (axis may equal the rank); earlier
// versions get the same reading, as ONNX Runtime gives them.
int64_t flatten_axis(const NodeContext& ctx, size_t rank) {
  int64_t axis = ctx.attr<int64_t>("axis", 1);
  const int64_t r = int64_t(rank);
  if (axis < -r || axis > r)
    throw ctx.error(ErrorKind::InvalidModel, "axis {} is out of range for rank {}", axis, rank);
  return axis < 0 ? axis + r : axis;
}

Dimension product(const PartialShape& s, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i) {
    if (!s[i].is_static()) return Dimension();
    n *= s[i].value;
  }
  return Dimension(n);
}

void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  if (!in.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape::of_rank(2));
    return;
  }
  const size_t axis = size_t(flatten_axis(ctx, in.rank()));
  ctx.set_output(0, ctx.input_type(0),
                 PartialShape(std::vector<Dimension>{product(in, 0, axis), product(in, axis, in.rank())}));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const size_t axis = size_t(flatten_axis(ctx, x.rank()));
  int64_t rows = 1;
  for (size_t i = 0; i < axis; ++i) rows *= x.shape()[i];
  int64_t cols = 1;
  for (size_t i = axis; i < x.rank(); ++i) cols *= x.shape()[i];
  ctx.set_output(0, copy_reshaped(x, {rows, cols}));
}
}  // namespace

const OpDef& flatten_op() {
  static const OpDef def{.name = "Flatten",
                         .versions = {1, 9, 11, 13, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
