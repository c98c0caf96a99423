// BitShift: integers shifted left or right by the bits of the second input.
#include <string>
#include <type_traits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: 11 shifts unsigned integers; 28 added the signed ones, shifted right arithmetically
// (the sign fills the vacated bits) and left in two's complement (bits past the sign are lost).

bool shifts_left(const NodeContext& ctx) {
  const std::string direction = ctx.attr<std::string>("direction");
  if (direction != "LEFT" && direction != "RIGHT")
    throw ctx.error(ErrorKind::InvalidModel,
                    "attribute 'direction' must be LEFT or RIGHT, got '{}'", direction);
  return direction == "LEFT";
}

void check_type(const NodeContext& ctx, ElementType type) {
  const bool is_signed = type == ElementType::I8 || type == ElementType::I16 ||
                         type == ElementType::I32 || type == ElementType::I64;
  if (is_signed && ctx.opset() < 28)
    throw ctx.error(ErrorKind::InvalidModel, "signed element type {} needs BitShift-28",
                    to_string(type));
}

void infer(InferContext& ctx) {
  shifts_left(ctx);
  check_type(ctx, ctx.input_type(0));
  infer_broadcast_same(ctx);
}

// A shift by a negative amount or by the width or more keeps only what sign extension gives:
// -1 for a negative value shifted right, 0 otherwise (C++ leaves both undefined).
template <class C>
C shift(C x, C bits, bool left) {
  using U = std::make_unsigned_t<C>;
  constexpr int kWidth = int(sizeof(C) * 8);
  bool negative = false, out_of_range = uint64_t(bits) >= uint64_t(kWidth);
  if constexpr (std::is_signed_v<C>) {
    negative = x < C(0);
    out_of_range = out_of_range || bits < C(0);
  }
  if (out_of_range) return C(!left && negative ? -1 : 0);
  if (left) return C(U(U(x) << int(bits)));
  if (!negative) return C(x >> int(bits));
  const U complement = U(~U(x));  // arithmetic shift spelled in unsigned bits
  return C(U(~U(complement >> int(bits))));
}

void reference(KernelContext& ctx) {
  const bool left = shifts_left(ctx);
  check_type(ctx, ctx.input(0).element_type());
  binary_kernel<kInteger>(ctx, [&](auto a, auto b) { return shift(a, b, left); });
}

}  // namespace

const OpDef& bit_shift_op() {
  static const OpDef def{
      .name = "BitShift", .versions = {11, 28}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
