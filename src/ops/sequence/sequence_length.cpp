// SequenceLength: the number of tensors in a sequence, as an int64 scalar.
#include "ops/op.h"
#include "ops/sequence/sequence_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) { ctx.set_output(0, ElementType::I64, PartialShape(Shape{})); }

void reference(KernelContext& ctx) {
  const int64_t n = int64_t(sequence_input(ctx, 0).items().size());
  ctx.allocate_output(0, ElementType::I64, {}).data<int64_t>()[0] = n;
}
}  // namespace

const OpDef& sequence_length_op() {
  static const OpDef def{.name = "SequenceLength", .versions = {11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
