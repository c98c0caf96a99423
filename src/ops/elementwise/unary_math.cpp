// The unary math ops: y = f(x) elementwise, one functor each; IsInf and IsNaN answer in bools.
// Versions differ only in the element types allowed (opset 6 dropped consumed_inputs, 13 added
// bfloat16 to the older ops, 22 to the trigonometric and hyperbolic ones and Round; IsNaN-20 and
// IsInf-20 added the float8 types), so one kernel serves every version.
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

template <class C>
C abs_of(C x) {
  if constexpr (std::is_unsigned_v<C>)
    return x;
  else
    return x < C(0) ? C(-x) : x;
}

template <class C>
C sign_of(C x) {
  if constexpr (std::is_floating_point_v<C>)
    if (std::isnan(x)) return x;
  return C((C(0) < x) - (x < C(0)));
}

void infer_predicate(InferContext& ctx) {
  ctx.set_output(0, ElementType::Bool, ctx.input_shape(0));
}

template <class F>
void predicate_kernel(KernelContext& ctx, F f) {
  const Tensor& x = ctx.input(0);
  visit_types<kFloat | kFloat8>(x.element_type(),
                                [&]<class T>() { map_unary<T, bool>(x, ctx.output(0), f); });
}

}  // namespace

const OpDef& abs_op() {
  static const OpDef def = unary_op("Abs", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kNumeric>(ctx, [](auto x) { return abs_of(x); });
  });
  return def;
}

const OpDef& neg_op() {
  static const OpDef def = unary_op("Neg", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat | kSigned>(ctx, [](auto x) { return -x; });
  });
  return def;
}

const OpDef& sign_op() {
  static const OpDef def = unary_op("Sign", {9, 13}, [](KernelContext& ctx) {
    unary_kernel<kNumeric>(ctx, [](auto x) { return sign_of(x); });
  });
  return def;
}

const OpDef& ceil_op() {
  static const OpDef def = unary_op("Ceil", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::ceil(x); });
  });
  return def;
}

const OpDef& floor_op() {
  static const OpDef def = unary_op("Floor", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::floor(x); });
  });
  return def;
}

// Halves go to the even neighbour (numpy's round): nearbyint in the default rounding mode.
const OpDef& round_op() {
  static const OpDef def = unary_op("Round", {11, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::nearbyint(x); });
  });
  return def;
}

const OpDef& reciprocal_op() {
  static const OpDef def = unary_op("Reciprocal", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return decltype(x)(1) / x; });
  });
  return def;
}

const OpDef& sqrt_op() {
  static const OpDef def = unary_op("Sqrt", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::sqrt(x); });
  });
  return def;
}

const OpDef& exp_op() {
  static const OpDef def = unary_op("Exp", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::exp(x); });
  });
  return def;
}

const OpDef& log_op() {
  static const OpDef def = unary_op("Log", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::log(x); });
  });
  return def;
}

// Erf-9 allows every numeric type; integers go through double and back.
const OpDef& erf_op() {
  static const OpDef def = unary_op("Erf", {9, 13}, [](KernelContext& ctx) {
    unary_kernel<kNumeric>(ctx, [](auto x) {
      if constexpr (std::is_integral_v<decltype(x)>)
        return std::erf(double(x));
      else
        return std::erf(x);
    });
  });
  return def;
}

const OpDef& sin_op() {
  static const OpDef def = unary_op("Sin", {7, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::sin(x); });
  });
  return def;
}

const OpDef& cos_op() {
  static const OpDef def = unary_op("Cos", {7, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::cos(x); });
  });
  return def;
}

const OpDef& tan_op() {
  static const OpDef def = unary_op("Tan", {7, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::tan(x); });
  });
  return def;
}

const OpDef& asin_op() {
  static const OpDef def = unary_op("Asin", {7, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::asin(x); });
  });
  return def;
}

const OpDef& acos_op() {
  static const OpDef def = unary_op("Acos", {7, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::acos(x); });
  });
  return def;
}

const OpDef& atan_op() {
  static const OpDef def = unary_op("Atan", {7, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::atan(x); });
  });
  return def;
}

const OpDef& sinh_op() {
  static const OpDef def = unary_op("Sinh", {9, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::sinh(x); });
  });
  return def;
}

const OpDef& cosh_op() {
  static const OpDef def = unary_op("Cosh", {9, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::cosh(x); });
  });
  return def;
}

const OpDef& tanh_op() {
  static const OpDef def = unary_op("Tanh", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::tanh(x); });
  });
  return def;
}

const OpDef& asinh_op() {
  static const OpDef def = unary_op("Asinh", {9, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::asinh(x); });
  });
  return def;
}

const OpDef& acosh_op() {
  static const OpDef def = unary_op("Acosh", {9, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::acosh(x); });
  });
  return def;
}

const OpDef& atanh_op() {
  static const OpDef def = unary_op("Atanh", {9, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return std::atanh(x); });
  });
  return def;
}

const OpDef& is_nan_op() {
  static const OpDef def{.name = "IsNaN",
                         .versions = {9, 13, 20},
                         .infer = infer_predicate,
                         .reference = [](KernelContext& ctx) {
                           predicate_kernel(ctx, [](auto x) { return std::isnan(x); });
                         }};
  return def;
}

// IsInf's attributes pick which infinities count; both do by default.
const OpDef& is_inf_op() {
  static const OpDef def{.name = "IsInf",
                         .versions = {10, 20},
                         .infer = infer_predicate,
                         .reference = [](KernelContext& ctx) {
                           const bool negative = ctx.attr<int64_t>("detect_negative", 1) != 0;
                           const bool positive = ctx.attr<int64_t>("detect_positive", 1) != 0;
                           predicate_kernel(ctx, [&](auto x) {
                             return std::isinf(x) && (x > 0 ? positive : negative);
                           });
                         }};
  return def;
}

}  // namespace tandem::ops
