// What QuantizeLinear and DequantizeLinear share: the granularity of scale and zero point
// (per tensor, per axis, blocked) and the element types each opset allows.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "ops/node_context.h"
#include "ops/shape_utils.h"
#include "tandem/tensor.h"

namespace tandem::ops {

/// Which scale and zero point each element of x uses. x is seen as [outer, dim, inner] around
/// `axis`; per axis, element (o, d, k) uses parameter d; blocked (opset 21+), a scale of x's rank
/// with `count` = ceil(dim / block) along the axis, it uses parameter (o, d / block, k).
struct QuantLayout {
  bool per_tensor = true, blocked = false;
  int64_t dim = 1, inner = 1, count = 1, block = 1;
  int64_t index(int64_t i) const {
    if (per_tensor) return 0;
    const int64_t d = (i / inner) % dim;
    if (!blocked) return d;
    const int64_t o = i / (dim * inner);
    return (o * count + d / block) * inner + i % inner;
  }
};

/// Checks scale (and zero_point, if given) against x and says how x's elements map onto them.
/// Opset 10 is per tensor; 13 adds per axis (a 1-D scale along `axis`, default 1); 21 adds blocked
/// quantisation (`block_size` > 0).
inline QuantLayout quant_layout(const NodeContext& ctx, const Shape& x, const Tensor& scale,
                                const Tensor* zero_point) {
  // One-element parameters may differ in rank (ONNX's own tests pair a scalar scale with a [1]
  // zero point).
  if (zero_point && zero_point->shape() != scale.shape() &&
      !(zero_point->size() == 1 && scale.size() == 1))
    throw ctx.error(ErrorKind::InvalidArgument, "zero point shape {} differs from scale shape {}",
                    to_string(zero_point->shape()), to_string(scale.shape()));
  const int64_t block = ctx.opset() >= 21 ? ctx.attr<int64_t>("block_size", 0) : 0;
  if (block < 0)
    throw ctx.error(ErrorKind::InvalidModel, "block_size must not be negative, got {}", block);
  // A one-element scale is per tensor whatever its rank; models often store scales as [1].
  if (scale.size() == 1) return {};
  if (ctx.opset() < 13)
    throw ctx.error(ErrorKind::InvalidArgument, "scale must be a scalar, got shape {}",
                    to_string(scale.shape()));
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", 1), x.size());
  QuantLayout l;
  l.per_tensor = false;
  l.dim = x[axis];
  for (size_t d = axis + 1; d < x.size(); ++d) l.inner *= x[d];
  if (block == 0) {
    if (scale.rank() != 1)
      throw ctx.error(ErrorKind::InvalidArgument, "scale must be a scalar or 1-D{}, got shape {}",
                      ctx.opset() >= 21 ? " (or blocked, with block_size)" : "",
                      to_string(scale.shape()));
    if (scale.size() != x[axis])
      throw ctx.error(ErrorKind::InvalidArgument,
                      "per-axis scale has {} elements, axis {} of input shape {} has {}",
                      scale.size(), axis, to_string(x), x[axis]);
    l.count = x[axis];
    return l;
  }
  // Blocked: scale has x's shape except along the axis, where it has ceil(dim / block_size).
  Shape expected = x;
  expected[axis] = (x[axis] + block - 1) / block;
  if (scale.shape() != expected)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "blocked scale has shape {}, expected {} for input shape {}, axis {} and "
                    "block_size {}",
                    to_string(scale.shape()), to_string(expected), to_string(x), axis, block);
  l.blocked = true;
  l.block = block;
  l.count = expected[axis];
  return l;
}

/// Whether `type` is in `types`.
inline bool is_one_of(ElementType type, std::initializer_list<ElementType> types) {
  for (ElementType t : types)
    if (t == type) return true;
  return false;
}

/// Whether `type` is a quantised type at `opset`: the types of QuantizeLinear's output and
/// DequantizeLinear's input (besides int32, which only DequantizeLinear reads).
inline bool is_quantized_type(ElementType type, int opset) {
  using E = ElementType;
  if (is_one_of(type, {E::U8, E::I8})) return true;
  if (opset >= 19 && is_one_of(type, {E::F8E4M3FN, E::F8E4M3FNUZ, E::F8E5M2, E::F8E5M2FNUZ}))
    return true;
  if (opset >= 21 && is_one_of(type, {E::U16, E::I16, E::U4, E::I4})) return true;
  if (opset >= 23 && type == E::F4E2M1) return true;
  if (opset >= 25 && is_one_of(type, {E::U2, E::I2})) return true;
  return opset >= 28 && is_one_of(type, {E::F6E2M3, E::F6E3M2});
}

/// The float types a scale may have at `opset` (float8e8m0 from 24).
inline bool is_scale_type(ElementType type, int opset) {
  using E = ElementType;
  if (is_one_of(type, {E::F32, E::F16, E::BF16})) return true;
  return opset >= 24 && type == E::F8E8M0;
}

}  // namespace tandem::ops
