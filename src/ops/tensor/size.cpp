// Size: the input's element count as an i64 scalar.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  ctx.input(0);
  ctx.set_output(0, ElementType::I64, PartialShape(std::vector<int64_t>{}));
}

void reference(KernelContext& ctx) { ctx.set_output(0, Tensor::scalar<int64_t>(ctx.input(0).size())); }
}  // namespace

const OpDef& size_op() {
  static const OpDef def{.name = "Size",
                         .versions = {1, 13, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
