// Helpers of the integer and quantized matrix ops (MatMulInteger, QLinearMatMul, ConvInteger,
// QLinearConv): zero-point shifts into int32 and requantization.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/dispatch.h"
#include "ops/node_context.h"
#include "tandem/tensor.h"

namespace tandem::ops {

/// Calls f.template operator()<T>() for T = uint8_t or int8_t; throws Unsupported otherwise.
template <class F>
void visit_quantized(const NodeContext& ctx, ElementType type, const char* what, F&& f) {
  if (type == ElementType::U8) return f.template operator()<uint8_t>();
  if (type == ElementType::I8) return f.template operator()<int8_t>();
  throw ctx.error(ErrorKind::Unsupported, "{} must be uint8 or int8, got {}", what,
                  to_string(type));
}

/// The values of t (uint8/int8) minus its zero point, as int32. `zero_point` (may be null) holds
/// one value, or `count` values indexed by (flat index / inner) % count: per row, per column or
/// per output channel depending on `inner`.
inline std::vector<int32_t> shift_by_zero_point(const NodeContext& ctx, const Tensor& t,
                                                const Tensor* zero_point, int64_t count,
                                                int64_t inner, const char* name) {
  std::vector<int32_t> out(size_t(t.size()));
  std::vector<int64_t> zp{0};
  if (zero_point) {
    if (zero_point->element_type() != t.element_type())
      throw ctx.error(ErrorKind::InvalidModel, "{}'s zero point is {}, the tensor is {}", name,
                      to_string(zero_point->element_type()), to_string(t.element_type()));
    zp = zero_point->to_int64();
    if (zp.size() != 1 && int64_t(zp.size()) != count)
      throw ctx.error(ErrorKind::InvalidModel, "{}'s zero point has {} values, expected 1 or {}",
                      name, zp.size(), count);
  }
  visit_quantized(ctx, t.element_type(), name, [&]<class Q>() {
    auto v = t.span<const Q>();
    if (zp.size() == 1) {
      const int32_t z = int32_t(zp[0]);
      for (size_t i = 0; i < v.size(); ++i) out[i] = int32_t(v[i]) - z;
      return;
    }
    for (size_t i = 0; i < v.size(); ++i)
      out[i] = int32_t(v[i]) - int32_t(zp[size_t((int64_t(i) / inner) % count)]);
  });
  return out;
}

/// Rounds half to even and saturates to Q's range.
template <class Q>
Q saturate_round(double v) {
  const double r = std::nearbyint(v);
  return Q(
      std::clamp(r, double(std::numeric_limits<Q>::min()), double(std::numeric_limits<Q>::max())));
}

/// A scale or zero-point tensor read as doubles: one value, or `count` values.
inline std::vector<double> per_axis_values(const NodeContext& ctx, const Tensor& t, int64_t count,
                                           const char* name) {
  std::vector<double> v = t.to_double();
  if (v.size() != 1 && int64_t(v.size()) != count)
    throw ctx.error(ErrorKind::InvalidModel, "{} has {} values, expected 1 or {}", name, v.size(),
                    count);
  return v;
}

}  // namespace tandem::ops
