// CumSum: running sums along one axis, optionally exclusive and/or reversed.
#include "ops/reduce/cumulative.h"

namespace tandem::ops {
namespace {

// Opset 14 only adds bfloat16 and float16.
void reference(KernelContext& ctx) {
  run_cumulative(ctx, 0, [](auto acc, auto v) { return decltype(acc)(acc + v); });
}

}  // namespace

const OpDef& cum_sum_op() {
  static const OpDef def{
      .name = "CumSum", .domain = "", .versions = {11, 14}, .infer = infer_cumulative, .reference = reference};
  return def;
}

}  // namespace tandem::ops
