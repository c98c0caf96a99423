// ConstantOfShape: a tensor of a given shape filled with one value (float 0 by default).
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
Tensor fill_value(const NodeContext& ctx) {
  if (!ctx.has_attr("value")) return Tensor::scalar<float>(0.0f);
  Tensor value = ctx.attr<Tensor>("value");
  if (value.size() != 1)
    throw ctx.error(ErrorKind::InvalidModel, "value must hold one element, got {}", describe(value));
  return value;
}

void infer(InferContext& ctx) {
  check_index_type(ctx, 0);
  const ElementType type = fill_value(ctx).element_type();
  if (auto shape = known_ints(ctx, 0)) {
    for (int64_t d : *shape)
      if (d < 0) throw ctx.error(ErrorKind::InvalidModel, "shape {} has a negative dim", to_string(*shape));
    ctx.set_output(0, type, PartialShape(*shape));
    return;
  }
  const PartialShape& s = ctx.input_shape(0);
  const bool rank_known = s.rank() == 1 && s[0].is_static();
  ctx.set_output(0, type, rank_known ? PartialShape::of_rank(size_t(s[0].value)) : PartialShape());
}

void reference(KernelContext& ctx) {
  const Tensor value = fill_value(ctx);
  const std::vector<int64_t> shape = input_ints(ctx, 0);
  for (int64_t d : shape)
    if (d < 0) throw ctx.error(ErrorKind::InvalidArgument, "shape {} has a negative dim", to_string(shape));
  Tensor& y = ctx.allocate_output(0, value.element_type(), shape);
  visit_storage(value.element_type(),
                [&]<class S>() { std::fill_n(storage<S>(y), y.size(), storage<S>(value)[0]); });
}
}  // namespace

const OpDef& constant_of_shape_op() {
  static const OpDef def{.name = "ConstantOfShape",
                         .versions = {9, 20, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
