// SequenceEmpty: a sequence with no tensors, of the element type `dtype` (float by default).
#include "ops/op.h"
#include "ops/sequence/sequence_common.h"

namespace tandem::ops {
namespace {
ElementType dtype(const NodeContext& ctx) {
  const int64_t code = ctx.attr<int64_t>("dtype", int64_t(ElementType::F32));
  const auto type = ElementType(code);
  if (code <= 0 || element_size(type) == 0)
    throw ctx.error(ErrorKind::InvalidModel, "dtype {} is not a supported element type", code);
  return type;
}

void infer(InferContext& ctx) {
  ctx.set_output(0, ValueType::sequence_of(ValueType::tensor(dtype(ctx), PartialShape())));
}

void reference(KernelContext& ctx) { ctx.set_output(0, Value::sequence({}, dtype(ctx))); }
}  // namespace

const OpDef& sequence_empty_op() {
  static const OpDef def{.name = "SequenceEmpty", .versions = {11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
