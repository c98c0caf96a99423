// The bitwise ops on integers: BitwiseAnd, BitwiseOr, BitwiseXor with broadcasting, and BitwiseNot.
#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: 18 introduced them all; none has changed since.
OpDef bitwise_op(std::string_view name, KernelFn reference) {
  return OpDef{
      .name = name, .versions = {18}, .infer = infer_broadcast_same, .reference = reference};
}

}  // namespace

const OpDef& bitwise_and_op() {
  static const OpDef def = bitwise_op("BitwiseAnd", [](KernelContext& ctx) {
    binary_kernel<kInteger>(ctx, [](auto a, auto b) { return decltype(a)(a & b); });
  });
  return def;
}

const OpDef& bitwise_or_op() {
  static const OpDef def = bitwise_op("BitwiseOr", [](KernelContext& ctx) {
    binary_kernel<kInteger>(ctx, [](auto a, auto b) { return decltype(a)(a | b); });
  });
  return def;
}

const OpDef& bitwise_xor_op() {
  static const OpDef def = bitwise_op("BitwiseXor", [](KernelContext& ctx) {
    binary_kernel<kInteger>(ctx, [](auto a, auto b) { return decltype(a)(a ^ b); });
  });
  return def;
}

const OpDef& bitwise_not_op() {
  static const OpDef def = unary_op("BitwiseNot", {18}, [](KernelContext& ctx) {
    unary_kernel<kInteger>(ctx, [](auto x) { return decltype(x)(~x); });
  });
  return def;
}

}  // namespace tandem::ops
