// Expand: broadcasts a tensor to a shape (numpy rules both ways: a 1 in `shape` keeps the input's dim).
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  check_index_type(ctx, 1);
  auto shape = known_ints(ctx, 1);
  if (!shape) {
    const PartialShape& s = ctx.input_shape(1);
    const PartialShape& in = ctx.input_shape(0);
    if (s.rank() == 1 && s[0].is_static() && in.rank_known())
      ctx.set_output(0, ctx.input_type(0),
                     PartialShape::of_rank(std::max<size_t>(in.rank(), size_t(s[0].value))));
    else
      ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  for (int64_t d : *shape)
    if (d < 0) throw ctx.error(ErrorKind::InvalidModel, "shape {} has a negative dim", to_string(*shape));
  ctx.set_output(0, ctx.input_type(0), broadcast_shapes(ctx, ctx.input_shape(0), PartialShape(*shape)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::vector<int64_t> shape = input_ints(ctx, 1);
  for (int64_t d : shape)
    if (d < 0) throw ctx.error(ErrorKind::InvalidArgument, "shape {} has a negative dim", to_string(shape));
  const Shape out_shape = broadcast_shapes(ctx, x.shape(), shape);
  const size_t rank = out_shape.size(), offset = rank - x.rank();
  const std::vector<int64_t> in_strides = strides_of(x.shape());
  std::vector<int64_t> strides(rank, 0);
  for (size_t d = 0; d < x.rank(); ++d) strides[offset + d] = x.shape()[d] == 1 ? 0 : in_strides[d];
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  strided_copy(x, 0, strides, y);
}
}  // namespace

const OpDef& expand_op() {
  static const OpDef def{.name = "Expand", .versions = {8, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
