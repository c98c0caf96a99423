// SequenceInsert: a copy of the sequence with a tensor inserted at `position` (default: the end).
#include "ops/op.h"
#include "ops/sequence/pieces.h"
#include "ops/sequence/sequence_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const ValueType sequence = known_input_type(ctx, 0);
  const ValueType tensor = known_input_type(ctx, 1);
  const ValueType element = sequence_element(sequence);
  if (element.element_type != ElementType::Undefined && tensor.element_type != ElementType::Undefined &&
      element.element_type != tensor.element_type)
    throw ctx.error(ErrorKind::InvalidModel, "cannot insert {} into {}", to_string(tensor),
                    to_string(sequence));
  // The items already there widen the shape; an empty sequence holds exactly the new tensor.
  ValueType merged = merge_types(element, tensor);
  if (const Value* value = ctx.input_value(0); value && value->is_sequence())
    merged = value->items().empty() ? tensor : merge_types(sequence_element(type_of(*value)), tensor);
  ctx.set_output(0, ValueType::sequence_of(merged));
}

void reference(KernelContext& ctx) {
  const Value& sequence = sequence_input(ctx, 0);
  const Tensor& tensor = ctx.input(1);
  ElementType type = sequence.sequence_element_type();
  if (type == ElementType::Undefined) type = tensor.element_type();
  if (tensor.element_type() != type)
    throw ctx.error(ErrorKind::InvalidArgument, "cannot insert {} into a sequence of {}", describe(tensor),
                    to_string(type));
  std::vector<Tensor> items = sequence.items();
  const int64_t position =
      ctx.has_input(2) ? read_position(ctx, 2, items.size(), true) : int64_t(items.size());
  items.insert(items.begin() + position, tensor);
  ctx.set_output(0, Value::sequence(std::move(items), type));
}
}  // namespace

const OpDef& sequence_insert_op() {
  static const OpDef def{.name = "SequenceInsert", .versions = {11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
