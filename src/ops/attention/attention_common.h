// What the attention family shares: rounding the way numpy's step-by-step arithmetic rounds,
// head layouts (packed 3-D and heads-first 4-D), floating outputs written from doubles, and the
// dimension arithmetic of shape inference.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ops/dispatch.h"
#include "ops/infer_context.h"
#include "ops/kernel_context.h"

namespace tandem::ops {

/// x rounded to the precision of T. ONNX's reference evaluates each step in the tensor's own
/// type, and half types lose bits at every step: kernels that compute in double round where the
/// reference does, so that float16 and bfloat16 results land on the same values.
template <class T>
double round_as(double x) {
  if constexpr (std::is_same_v<T, double>)
    return x;
  else if constexpr (std::is_same_v<T, float>)
    return double(float(x));
  else
    return double(float(T(float(x))));
}

/// The same for an element type known at run time (f32, f64, f16, bf16).
double round_as(ElementType type, double x);

/// A sum of values of type T as numpy reduces them: bfloat16 (ml_dtypes) rounds after every
/// addition, the others accumulate wider and round once.
template <class T>
double sum_as(std::span<const double> values) {
  double sum = 0;
  if constexpr (std::is_same_v<T, bfloat16>) {
    for (double v : values) sum = round_as<T>(sum + v);
    return sum;
  }
  for (double v : values) sum += v;
  return round_as<T>(sum);
}

/// Whether `type` is one of f32, f64, f16, bf16 (the narrow floats are not).
bool is_wide_float(ElementType type);
/// Throws Unsupported unless input i is present with a floating element type.
void check_floating_input(const InferContext& ctx, size_t i, std::string_view name);

/// The softmax_precision attribute (an ONNX TensorProto type: 1, 10, 11 or 16) or `fallback`
/// when absent; throws InvalidModel for any other value.
ElementType softmax_precision(const NodeContext& ctx, ElementType fallback);

/// A tensor's values in heads-first order (batch, heads, sequence, head size), as doubles. A
/// 3-D tensor (batch, sequence, heads * head size) is split into `heads` heads; a 4-D one is
/// already in that order.
std::vector<double> heads_first(const Tensor& x, int64_t heads);
/// Writes `values` (row-major, of x's size) into a floating tensor, rounding to its type.
void store(std::span<const double> values, Tensor& out);

/// Dimension `i` of a partial shape; unknown when the rank is unknown.
Dimension dim_at(const PartialShape& shape, size_t i);
/// Products, quotients and sums of dimensions, unknown unless both sides are known.
Dimension dim_mul(const Dimension& a, const Dimension& b);
Dimension dim_div(const Dimension& a, const Dimension& b);
Dimension dim_add(const Dimension& a, const Dimension& b);

}  // namespace tandem::ops
