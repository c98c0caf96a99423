// Per-tensor or per-axis quantisation parameters: which scale and zero point each element uses.
#pragma once

#include <cstdint>

#include "ops/node_context.h"
#include "ops/shape_utils.h"
#include "tandem/tensor.h"

namespace tandem::ops {

/// Element i of x uses parameter (i / inner) % count: count is 1 per tensor, x's size along
/// `axis` per axis (opset 13+, a 1-D scale).
struct QuantLayout {
  int64_t inner = 1, count = 1;
  int64_t index(int64_t i) const { return count == 1 ? 0 : (i / inner) % count; }
};

/// Checks scale (and zero_point, if given) against x and says how x's elements map onto them.
inline QuantLayout quant_layout(const NodeContext& ctx, const Shape& x, const Tensor& scale,
                                const Tensor* zero_point) {
  if (zero_point && zero_point->shape() != scale.shape())
    throw ctx.error(ErrorKind::InvalidArgument, "zero point shape {} differs from scale shape {}",
                    to_string(zero_point->shape()), to_string(scale.shape()));
  // A one-element scale is per tensor whatever its rank; models often store scales as [1].
  if (scale.size() == 1) return {};
  if (ctx.opset() < 13 || scale.rank() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "scale must be a scalar{}, got shape {}",
                    ctx.opset() < 13 ? "" : " or 1-D", to_string(scale.shape()));
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", 1), x.size());
  if (scale.size() != x[axis])
    throw ctx.error(ErrorKind::InvalidArgument,
                    "per-axis scale has {} elements, axis {} of input shape {} has {}",
                    scale.size(), axis, to_string(x), x[axis]);
  QuantLayout l;
  l.count = x[axis];
  for (size_t d = axis + 1; d < x.size(); ++d) l.inner *= x[d];
  return l;
}

}  // namespace tandem::ops
