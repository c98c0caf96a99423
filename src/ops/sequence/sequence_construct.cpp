// SequenceConstruct: a sequence of its input tensors, which share one element type.
#include "ops/op.h"
#include "ops/sequence/pieces.h"
#include "ops/sequence/sequence_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  if (ctx.num_inputs() == 0) throw ctx.error(ErrorKind::InvalidModel, "needs at least one input");
  ValueType element = ctx.input(0);
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    const ValueType& t = ctx.input(i);
    if (t.element_type != element.element_type && t.element_type != ElementType::Undefined &&
        element.element_type != ElementType::Undefined)
      throw ctx.error(ErrorKind::InvalidModel, "input {} is {}, input 0 is {}: elements must share a type", i,
                      to_string(t), to_string(element));
    element = merge_types(element, t);
  }
  ctx.set_output(0, ValueType::sequence_of(element));
}

void reference(KernelContext& ctx) {
  std::vector<Tensor> items;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    items.push_back(ctx.input(i));
    if (items.back().element_type() != items[0].element_type())
      throw ctx.error(ErrorKind::InvalidArgument, "input {} is {}, input 0 is {}: elements must share a type",
                      i, describe(items.back()), describe(items[0]));
  }
  const ElementType type = items.at(0).element_type();
  ctx.set_output(0, Value::sequence(std::move(items), type));
}
}  // namespace

const OpDef& sequence_construct_op() {
  static const OpDef def{
      .name = "SequenceConstruct", .versions = {11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
