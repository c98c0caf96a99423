// Gather: picks slices of `data` along `axis` by an index tensor.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  check_index_type(ctx, 1);
  const PartialShape& data = ctx.input_shape(0);
  const PartialShape& indices = ctx.input_shape(1);
  if (!data.rank_known() || !indices.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  if (data.rank() == 0) throw ctx.error(ErrorKind::InvalidModel, "data must have rank 1 or more");
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), data.rank()));
  std::vector<Dimension> out(data.dims().begin(), data.dims().begin() + axis);
  out.insert(out.end(), indices.dims().begin(), indices.dims().end());
  out.insert(out.end(), data.dims().begin() + axis + 1, data.dims().end());
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() == 0) throw ctx.error(ErrorKind::InvalidModel, "data must have rank 1 or more");
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), x.rank()));
  std::vector<int64_t> indices = input_ints(ctx, 1);
  const int64_t dim = x.shape()[axis];
  for (int64_t& i : indices) i = checked_index(ctx, i, dim);
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= x.shape()[d];
  for (size_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  Shape out_shape(x.shape().begin(), x.shape().begin() + axis);
  const Shape& index_shape = ctx.input(1).shape();
  out_shape.insert(out_shape.end(), index_shape.begin(), index_shape.end());
  out_shape.insert(out_shape.end(), x.shape().begin() + axis + 1, x.shape().end());
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i : indices) {
        const S* row = src + (o * dim + i) * inner;
        dst = std::copy(row, row + inner, dst);
      }
  });
}
}  // namespace

const OpDef& gather_op() {
  static const OpDef def{.name = "Gather", .versions = {1, 11, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
