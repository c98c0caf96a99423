// Shape: the input's dims as an i64 vector; opset 15 added start/end to take a slice of them.
#include "ops/tensor/tensor_common.h"

#include <algorithm>

namespace tandem::ops {
namespace {
// [start, end) clamped to [0, rank], negative counting from the back.
std::pair<size_t, size_t> range_of(const NodeContext& ctx, size_t rank) {
  if (ctx.opset() < 15) return {0, rank};
  const int64_t r = int64_t(rank);
  auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + r : i, 0, r); };
  const int64_t start = clamp(ctx.attr<int64_t>("start", 0));
  const int64_t end = clamp(ctx.attr<int64_t>("end", r));
  return {size_t(start), size_t(std::max(start, end))};
}

void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  if (!in.rank_known()) {
    ctx.set_output(0, ElementType::I64, PartialShape::of_rank(1));
    return;
  }
  auto [start, end] = range_of(ctx, in.rank());
  ctx.set_output(0, ElementType::I64, PartialShape(std::vector<int64_t>{int64_t(end - start)}));
}

void reference(KernelContext& ctx) {
  const Shape& shape = ctx.input(0).shape();
  auto [start, end] = range_of(ctx, shape.size());
  ctx.set_output(0, Tensor::from<int64_t>(Shape(shape.begin() + int64_t(start), shape.begin() + int64_t(end)),
                                          Shape{int64_t(end - start)}));
}
}  // namespace

const OpDef& shape_op() {
  static const OpDef def{.name = "Shape",
                         .versions = {1, 13, 15, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
