// Mod: the remainder of a / b with broadcasting. With fmod=0 (the default) an integer remainder
// takes the sign of the divisor, as Python's %; with fmod=1 that of the dividend, as C's fmod.
#include <cmath>
#include <type_traits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: 10, then 13 added bfloat16. Up to 13 floats need fmod=1 by the spec; 28 defined
// fmod=0 on floats as a - floor(a / b) * b, numpy's mod, which earlier versions follow too rather
// than reject it.

template <class C>
C remainder(const KernelContext& ctx, C a, C b, bool fmod) {
  if constexpr (std::is_integral_v<C>) {
    if (b == 0) throw ctx.error(ErrorKind::InvalidArgument, "integer modulo by zero");
    if constexpr (std::is_signed_v<C>) {
      if (b == C(-1)) return C(0);  // min % -1 traps on x86
      C r = C(a % b);
      if (!fmod && r != 0 && (r < 0) != (b < 0)) r = C(r + b);
      return r;
    }
    return C(a % b);
  } else {
    C r = std::fmod(a, b);
    if (fmod) return r;
    // A zero remainder takes the divisor's sign; x mod ±inf of the other sign is ±inf.
    if (r == C(0)) return std::copysign(C(0), b);
    if ((r < C(0)) != (b < C(0))) r += b;
    return r;
  }
}

void reference(KernelContext& ctx) {
  const bool fmod = ctx.attr<int64_t>("fmod", 0) != 0;
  binary_kernel<kNumeric>(ctx, [&](auto a, auto b) { return remainder(ctx, a, b, fmod); });
}

}  // namespace

const OpDef& mod_op() {
  static const OpDef def{
      .name = "Mod", .versions = {10, 13, 28}, .infer = infer_broadcast_same, .reference = reference};
  return def;
}

}  // namespace tandem::ops
