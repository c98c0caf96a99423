// The boolean ops: And, Or, Xor with broadcasting, and Not.
#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: 1 broadcasts by the `broadcast`/`axis` attributes, 7 by numpy rules.
OpDef logical_op(std::string_view name, KernelFn reference) {
  return OpDef{
      .name = name, .versions = {1, 7}, .infer = infer_broadcast_same, .reference = reference};
}

}  // namespace

const OpDef& and_op() {
  static const OpDef def = logical_op("And", [](KernelContext& ctx) {
    binary_kernel<kBool>(ctx, [](bool a, bool b) { return a && b; });
  });
  return def;
}

const OpDef& or_op() {
  static const OpDef def = logical_op("Or", [](KernelContext& ctx) {
    binary_kernel<kBool>(ctx, [](bool a, bool b) { return a || b; });
  });
  return def;
}

const OpDef& xor_op() {
  static const OpDef def = logical_op("Xor", [](KernelContext& ctx) {
    binary_kernel<kBool>(ctx, [](bool a, bool b) { return a != b; });
  });
  return def;
}

const OpDef& not_op() {
  static const OpDef def = unary_op(
      "Not", {1}, [](KernelContext& ctx) { unary_kernel<kBool>(ctx, [](bool x) { return !x; }); });
  return def;
}

}  // namespace tandem::ops
