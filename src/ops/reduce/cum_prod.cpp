// CumProd (opset 26): running products along one axis, optionally exclusive and/or reversed.
#include <cstdint>
#include <type_traits>

#include "ops/reduce/cumulative.h"

namespace tandem::ops {
namespace {

// An exclusive product starts from 1. Integer products wrap as the element type would (no
// signed overflow).
template <class C>
C multiply(C a, C b) {
  if constexpr (std::is_integral_v<C>)
    return C(uint64_t(a) * uint64_t(b));
  else
    return C(a * b);
}

void reference(KernelContext& ctx) {
  run_cumulative(ctx, 1, [](auto acc, auto v) { return multiply(acc, v); });
}

}  // namespace

const OpDef& cum_prod_op() {
  static const OpDef def{
      .name = "CumProd", .domain = "", .versions = {26}, .infer = infer_cumulative, .reference = reference};
  return def;
}

}  // namespace tandem::ops
