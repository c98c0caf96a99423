// Add, Sub, Mul and Div with broadcasting. Integers wrap around like the hardware; integer
// division truncates toward zero and throws on a zero divisor.
#include <limits>
#include <type_traits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: 1 and 6 broadcast by the `broadcast`/`axis` attributes (handled in map_binary);
// 7 switched to numpy rules; 13 and 14 only added element types (bfloat16; 8/16-bit integers).

// Signed overflow is undefined in C++, so integers compute in the unsigned type of their
// promotion, whose wrap-around is the two's complement result.
template <class C>
using Wrap = std::make_unsigned_t<decltype(C() + C())>;

struct AddOp {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>)
      return C(Wrap<C>(a) + Wrap<C>(b));
    else
      return a + b;
  }
};
struct SubOp {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>)
      return C(Wrap<C>(a) - Wrap<C>(b));
    else
      return a - b;
  }
};
struct MulOp {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>)
      return C(Wrap<C>(a) * Wrap<C>(b));
    else
      return a * b;
  }
};

template <class Op>
void arithmetic_kernel(KernelContext& ctx) {
  binary_kernel<kNumeric>(ctx, Op());
}

void div_kernel(KernelContext& ctx) {
  binary_kernel<kNumeric>(ctx, [&](auto a, auto b) {
    using C = decltype(a);
    if constexpr (std::is_integral_v<C>) {
      if (b == 0) throw ctx.error(ErrorKind::InvalidArgument, "integer division by zero");
      // The one overflowing quotient, which traps on x86: it wraps to itself.
      if constexpr (std::is_signed_v<C>)
        if (b == C(-1)) return C(Wrap<C>(0) - Wrap<C>(a));
    }
    return C(a / b);
  });
}

OpDef binary_op(std::string_view name, KernelFn reference) {
  return OpDef{.name = name,
               .versions = {1, 6, 7, 13, 14},
               .infer = infer_broadcast_same,
               .reference = reference};
}

}  // namespace

const OpDef& add_op() {
  static const OpDef def = binary_op("Add", arithmetic_kernel<AddOp>);
  return def;
}

const OpDef& sub_op() {
  static const OpDef def = binary_op("Sub", arithmetic_kernel<SubOp>);
  return def;
}

const OpDef& mul_op() {
  static const OpDef def = binary_op("Mul", arithmetic_kernel<MulOp>);
  return def;
}

const OpDef& div_op() {
  static const OpDef def = binary_op("Div", div_kernel);
  return def;
}

}  // namespace tandem::ops
