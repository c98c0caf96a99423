// Identity: its input, of any kind (opset 14 added sequences, opset 16 optionals).
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) { ctx.set_output(0, ctx.input(0)); }

void reference(KernelContext& ctx) {
  const Value& v = ctx.value(0);
  if (v.is_tensor()) {
    ctx.set_output(0, v.tensor().clone());
    return;
  }
  ctx.set_output(0, v);
}
}  // namespace

const OpDef& identity_op() {
  static const OpDef def{.name = "Identity",
                         .versions = {1, 13, 14, 16, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
