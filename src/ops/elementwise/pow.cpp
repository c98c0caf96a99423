// Pow: y = x ^ e with broadcasting; the output has the base's element type.
#include <cmath>
#include <type_traits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: 1 broadcasts by attributes and 7 by numpy rules, both with base and exponent of one
// float type; 12 let the exponent have any numeric type and the base be int32/int64 too; 13 and
// 15 added bfloat16 to base and exponent.

void infer(InferContext& ctx) {
  if (ctx.opset() < 12) check_same_types(ctx);
  infer_broadcast(ctx, ctx.input_type(0));
}

// An integer power by squaring, wrapping on overflow like the other integer arithmetic. A negative
// exponent gives the truncated reciprocal: 0 except for bases 1 and -1.
template <class A>
A integer_pow(A base, int64_t e) {
  if (e < 0) {
    if (base == A(1)) return A(1);
    if constexpr (std::is_signed_v<A>)
      if (base == A(-1)) return e % 2 ? A(-1) : A(1);
    return A(0);
  }
  using U = std::make_unsigned_t<decltype(A() + A())>;
  U result = 1, b = U(base);
  for (uint64_t n = uint64_t(e); n; n >>= 1) {
    if (n & 1) result = U(result * b);
    b = U(b * b);
  }
  return A(result);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& e = ctx.input(1);
  visit_numeric(x.element_type(), [&]<class A>() {
    visit_numeric(e.element_type(), [&]<class B>() {
      map_binary<A, B, A>(ctx, x, e, ctx.output(0), [](auto a, auto b) {
        using C = compute_t<A>;
        if constexpr (std::is_integral_v<C> && std::is_integral_v<decltype(b)>)
          return integer_pow<C>(a, int64_t(b));
        else
          return C(std::pow(double(a), double(b)));
      });
    });
  });
}

}  // namespace

const OpDef& pow_op() {
  static const OpDef def{
      .name = "Pow", .versions = {1, 7, 12, 13, 15}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
