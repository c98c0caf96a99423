// BitShift: unsigned integers shifted left or right by the bits of the second input.
#include <string>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

bool shifts_left(const NodeContext& ctx) {
  const std::string direction = ctx.attr<std::string>("direction");
  if (direction != "LEFT" && direction != "RIGHT")
    throw ctx.error(ErrorKind::InvalidModel,
                    "attribute 'direction' must be LEFT or RIGHT, got '{}'", direction);
  return direction == "LEFT";
}

void infer(InferContext& ctx) {
  shifts_left(ctx);
  infer_broadcast_same(ctx);
}

// Shifting by the width or more is undefined in C++; every bit is shifted out, so it gives 0.
void reference(KernelContext& ctx) {
  const bool left = shifts_left(ctx);
  binary_kernel<kUnsigned>(ctx, [&](auto a, auto b) {
    using C = decltype(a);
    if (uint64_t(b) >= sizeof(C) * 8) return C(0);
    return C(left ? a << b : a >> b);
  });
}

}  // namespace

const OpDef& bit_shift_op() {
  static const OpDef def{
      .name = "BitShift", .versions = {11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
