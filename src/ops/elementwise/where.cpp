// Where: y = condition ? x : y elementwise, the three inputs broadcast together.
#include <vector>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: 9, then 16 added bfloat16; every element type, strings included.

void infer(InferContext& ctx) {
  const ElementType condition = ctx.input_type(0);
  if (condition != ElementType::Undefined && condition != ElementType::Bool)
    throw ctx.error(ErrorKind::InvalidModel, "condition must be bool, got {}",
                    to_string(condition));
  const ElementType x = ctx.input_type(1), y = ctx.input_type(2);
  if (x != ElementType::Undefined && y != ElementType::Undefined && x != y)
    throw ctx.error(ErrorKind::InvalidModel, "inputs 1 and 2 differ in element type: {} and {}",
                    to_string(x), to_string(y));
  PartialShape shape = broadcast_shapes(ctx, ctx.input_shape(0), ctx.input_shape(1));
  ctx.set_output(0, x, broadcast_shapes(ctx, shape, ctx.input_shape(2)));
}

void reference(KernelContext& ctx) {
  const Tensor& condition = ctx.input(0);
  const Tensor& x = ctx.input(1);
  const Tensor& y = ctx.input(2);
  Tensor& out = ctx.output(0);
  std::vector<int64_t> offsets;
  broadcast_offsets(condition.shape(), out.shape(), offsets);
  auto c = condition.span<const bool>();
  visit_all(x.element_type(), [&]<class T>() {
    auto px = x.span<const T>();
    auto py = y.span<const T>();
    auto po = out.span<T>();
    for_each_broadcast(x.shape(), y.shape(), out.shape(), [&](int64_t i, int64_t ix, int64_t iy) {
      po[i] = c[offsets[i]] ? px[ix] : py[iy];
    });
  });
}

}  // namespace

const OpDef& where_op() {
  static const OpDef def{
      .name = "Where", .versions = {9, 16}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
