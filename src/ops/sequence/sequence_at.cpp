// SequenceAt: the tensor at `position` of a sequence, negative counting from the end.
#include "ops/op.h"
#include "ops/sequence/sequence_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  ValueType element = sequence_element(known_input_type(ctx, 0));
  const Value* value = ctx.input_value(0);
  const Tensor* position = ctx.input_tensor(1);
  if (value && value->is_sequence() && position && position->size() == 1) {
    const int64_t n = int64_t(value->items().size());
    int64_t p = position->scalar<int64_t>();
    if (p < 0) p += n;
    if (p >= 0 && p < n)
      element = ValueType::tensor(value->items()[p].element_type(), value->items()[p].shape());
  }
  ctx.set_output(0, element);
}

void reference(KernelContext& ctx) {
  const auto& items = sequence_input(ctx, 0).items();
  ctx.set_output(0, Value(items[read_position(ctx, 1, items.size(), false)]));
}
}  // namespace

const OpDef& sequence_at_op() {
  static const OpDef def{.name = "SequenceAt", .versions = {11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
