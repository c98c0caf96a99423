// The axis handling of CumSum and CumProd.
#include "ops/reduce/cumulative.h"

#include "ops/shape_utils.h"

namespace tandem::ops {

void infer_cumulative(InferContext& ctx) {
  const PartialShape& axis = ctx.input_shape(1);
  if (axis.rank_known() && axis.rank() > 1)
    throw ctx.error(ErrorKind::InvalidModel, "axis must be a scalar, got shape {}", to_string(axis));
  ctx.set_output(0, ctx.input_type(0), ctx.input_shape(0));
}

CumulativeLayout cumulative_layout(const KernelContext& ctx) {
  const Shape& shape = ctx.input(0).shape();
  const Tensor& axis_tensor = ctx.input(1);
  if (axis_tensor.size() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "axis must hold one value, got shape {}",
                    to_string(axis_tensor.shape()));
  if (shape.empty()) throw ctx.error(ErrorKind::InvalidArgument, "input must not be a scalar");
  const int64_t axis = normalize_axis(ctx, axis_tensor.to_int64()[0], shape.size());
  CumulativeLayout l;
  for (int64_t d = 0; d < axis; ++d) l.outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) l.inner *= shape[d];
  l.n = shape[axis];
  l.exclusive = ctx.attr<int64_t>("exclusive", 0) != 0;
  l.reverse = ctx.attr<int64_t>("reverse", 0) != 0;
  return l;
}

}  // namespace tandem::ops
