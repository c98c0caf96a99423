// SequenceErase: a copy of the sequence without the tensor at `position` (default: the last).
#include "ops/op.h"
#include "ops/sequence/sequence_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  ctx.set_output(0, ValueType::sequence_of(sequence_element(known_input_type(ctx, 0))));
}

void reference(KernelContext& ctx) {
  const Value& sequence = sequence_input(ctx, 0);
  std::vector<Tensor> items = sequence.items();
  if (items.empty()) throw ctx.error(ErrorKind::InvalidArgument, "cannot erase from an empty sequence");
  const int64_t position =
      ctx.has_input(1) ? read_position(ctx, 1, items.size(), false) : int64_t(items.size()) - 1;
  items.erase(items.begin() + position);
  ctx.set_output(0, Value::sequence(std::move(items), sequence.sequence_element_type()));
}
}  // namespace

const OpDef& sequence_erase_op() {
  static const OpDef def{.name = "SequenceErase", .versions = {11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
