// ConcatFromSequence: the tensors of a sequence joined along `axis`, or stacked along a new axis
// there when new_axis is 1.
#include "ops/op.h"
#include "ops/sequence/pieces.h"
#include "ops/sequence/sequence_common.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const ValueType element = sequence_element(known_input_type(ctx, 0));
  const bool new_axis = ctx.attr<int64_t>("new_axis", 0) != 0;
  const int64_t axis_attr = ctx.attr<int64_t>("axis");
  PartialShape shape;
  if (element.shape.rank_known()) {
    std::vector<Dimension> dims = element.shape.dims();
    const auto axis = size_t(normalize_axis(ctx, axis_attr, dims.size() + (new_axis ? 1 : 0)));
    if (new_axis)
      dims.insert(dims.begin() + ptrdiff_t(axis), Dimension());
    else
      dims[axis] = Dimension();
    shape = PartialShape(std::move(dims));
  }
  ctx.set_output(0, element.element_type, std::move(shape));
}

void reference(KernelContext& ctx) {
  const auto& items = sequence_input(ctx, 0).items();
  if (items.empty()) throw ctx.error(ErrorKind::InvalidArgument, "cannot concatenate an empty sequence");
  const bool new_axis = ctx.attr<int64_t>("new_axis", 0) != 0;
  const size_t rank = items[0].rank();
  const auto axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis"), rank + (new_axis ? 1 : 0)));
  Tensor out = new_axis ? stack_along(ctx, items, axis) : concat_along(ctx, items, axis);
  ctx.set_output(0, Value(std::move(out)));
}
}  // namespace

const OpDef& concat_from_sequence_op() {
  static const OpDef def{
      .name = "ConcatFromSequence", .versions = {11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
