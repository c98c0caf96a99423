// The pointwise activations: y = f(x) with the op's attributes as parameters.
// Versions differ in element types only (6 dropped consumed_inputs, 13, 16 and 22 added bfloat16,
// Relu-14 signed integers, Celu-28 every float type besides float), so each op has one kernel for
// all of them.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

float alpha_of(const KernelContext& ctx, float fallback) {
  return ctx.attr<float>("alpha", fallback);
}

template <class C>
C sigmoid(C x) {
  if (x >= C(0)) return C(1) / (C(1) + std::exp(-x));
  const C e = std::exp(x);
  return e / (C(1) + e);
}

}  // namespace

// NaN passes through Relu, as numpy's maximum lets it.
const OpDef& relu_op() {
  static const OpDef def = unary_op("Relu", {1, 6, 13, 14}, [](KernelContext& ctx) {
    unary_kernel<kFloat | kSigned>(ctx,
                                   [](auto x) { return x < decltype(x)(0) ? decltype(x)(0) : x; });
  });
  return def;
}

const OpDef& leaky_relu_op() {
  static const OpDef def = unary_op("LeakyRelu", {1, 6, 16}, [](KernelContext& ctx) {
    const float alpha = alpha_of(ctx, 0.01f);
    unary_kernel<kFloat>(ctx, [&](auto x) { return x < 0 ? decltype(x)(alpha) * x : x; });
  });
  return def;
}

const OpDef& elu_op() {
  static const OpDef def = unary_op("Elu", {1, 6, 22}, [](KernelContext& ctx) {
    const float alpha = alpha_of(ctx, 1.0f);
    unary_kernel<kFloat>(ctx,
                         [&](auto x) { return x < 0 ? decltype(x)(alpha) * std::expm1(x) : x; });
  });
  return def;
}

// The defaults are ONNX's float32 constants, not their exact values.
const OpDef& selu_op() {
  static const OpDef def = unary_op("Selu", {1, 6, 22}, [](KernelContext& ctx) {
    using C = double;
    const C alpha = alpha_of(ctx, 1.67326319217681884765625f);
    const C gamma = ctx.attr<float>("gamma", 1.05070102214813232421875f);
    unary_kernel<kFloat>(ctx, [&](auto x) {
      using X = decltype(x);
      return X(x <= 0 ? gamma * (alpha * std::exp(C(x)) - alpha) : gamma * C(x));
    });
  });
  return def;
}

const OpDef& celu_op() {
  static const OpDef def = unary_op("Celu", {12, 28}, [](KernelContext& ctx) {
    const float alpha = alpha_of(ctx, 1.0f);
    unary_kernel<kFloat>(ctx, [&](auto x) {
      using X = decltype(x);
      const X a = X(alpha);
      return std::max(X(0), x) + std::min(X(0), a * std::expm1(x / a));
    });
  });
  return def;
}

const OpDef& sigmoid_op() {
  static const OpDef def = unary_op("Sigmoid", {1, 6, 13}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return sigmoid(x); });
  });
  return def;
}

const OpDef& hard_sigmoid_op() {
  static const OpDef def = unary_op("HardSigmoid", {1, 6, 22}, [](KernelContext& ctx) {
    const float alpha = alpha_of(ctx, 0.2f);
    const float beta = ctx.attr<float>("beta", 0.5f);
    unary_kernel<kFloat>(ctx, [&](auto x) {
      using X = decltype(x);
      return std::clamp(X(alpha) * x + X(beta), X(0), X(1));
    });
  });
  return def;
}

// HardSwish(x) = x * HardSigmoid(x) with alpha 1/6 and beta 0.5.
const OpDef& hard_swish_op() {
  static const OpDef def = unary_op("HardSwish", {14, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) {
      using X = decltype(x);
      return x * std::clamp(x / X(6) + X(0.5), X(0), X(1));
    });
  });
  return def;
}

// log(1 + e^x) without overflowing e^x for large x.
const OpDef& softplus_op() {
  static const OpDef def = unary_op("Softplus", {1, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) {
      using X = decltype(x);
      return x > X(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    });
  });
  return def;
}

const OpDef& softsign_op() {
  static const OpDef def = unary_op("Softsign", {1, 22}, [](KernelContext& ctx) {
    unary_kernel<kFloat>(ctx, [](auto x) { return x / (decltype(x)(1) + std::abs(x)); });
  });
  return def;
}

const OpDef& thresholded_relu_op() {
  static const OpDef def = unary_op("ThresholdedRelu", {10, 22}, [](KernelContext& ctx) {
    const float alpha = alpha_of(ctx, 1.0f);
    unary_kernel<kFloat>(ctx, [&](auto x) { return x > decltype(x)(alpha) ? x : decltype(x)(0); });
  });
  return def;
}

// Shrink allows every numeric type; integers are compared and shifted in double.
const OpDef& shrink_op() {
  static const OpDef def = unary_op("Shrink", {9}, [](KernelContext& ctx) {
    const double lambd = ctx.attr<float>("lambd", 0.5f);
    const double bias = ctx.attr<float>("bias", 0.0f);
    unary_kernel<kNumeric>(ctx, [&](auto x) {
      using X = std::conditional_t<std::is_integral_v<decltype(x)>, double, decltype(x)>;
      const X v = X(x);
      if (v < X(-lambd)) return v + X(bias);
      if (v > X(lambd)) return v - X(bias);
      return X(0);
    });
  });
  return def;
}

}  // namespace tandem::ops
