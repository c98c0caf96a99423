// GatherND: each innermost row of `indices` addresses a slice of `data`; the first batch_dims
// dims of both are shared.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// batch_dims came with opset 12.
int64_t batch_dims_of(const NodeContext& ctx) {
  int64_t b = ctx.opset() >= 12 ? ctx.attr<int64_t>("batch_dims", 0) : 0;
  if (b < 0) throw ctx.error(ErrorKind::InvalidModel, "batch_dims {} is negative", b);
  return b;
}

void infer(InferContext& ctx) {
  if (ctx.input_type(1) != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "indices must be i64, got {}", to_string(ctx.input_type(1)));
  const PartialShape& data = ctx.input_shape(0);
  const PartialShape& indices = ctx.input_shape(1);
  const size_t b = size_t(batch_dims_of(ctx));
  if (!data.rank_known() || !indices.rank_known() || indices.rank() == 0 ||
      !indices[indices.rank() - 1].is_static()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  const size_t last = size_t(indices[indices.rank() - 1].value);
  if (b >= data.rank() || b >= indices.rank() || b + last > data.rank())
    throw ctx.error(ErrorKind::InvalidModel, "indices {} with batch_dims {} do not fit data {}",
                    to_string(indices), b, to_string(data));
  std::vector<Dimension> out(indices.dims().begin(), indices.dims().end() - 1);
  out.insert(out.end(), data.dims().begin() + b + last, data.dims().end());
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& index_tensor = ctx.input(1);
  const Shape& ishape = index_tensor.shape();
  const size_t b = size_t(batch_dims_of(ctx));
  if (ishape.empty() || b >= x.rank() || b >= ishape.size() || b + size_t(ishape.back()) > x.rank())
    throw ctx.error(ErrorKind::InvalidArgument, "indices {} with batch_dims {} do not fit data {}",
                    describe(index_tensor), b, describe(x));
  for (size_t d = 0; d < b; ++d)
    if (ishape[d] != x.shape()[d])
      throw ctx.error(ErrorKind::InvalidArgument, "batch dims of indices {} and data {} differ",
                      describe(index_tensor), describe(x));
  const size_t last = size_t(ishape.back());
  Shape out_shape(ishape.begin(), ishape.end() - 1);
  out_shape.insert(out_shape.end(), x.shape().begin() + int64_t(b + last), x.shape().end());
  const std::vector<int64_t> strides = strides_of(x.shape());
  int64_t batches = 1, per_batch = 1, slice = 1;
  for (size_t d = 0; d < b; ++d) batches *= ishape[d];
  for (size_t d = b; d + 1 < ishape.size(); ++d) per_batch *= ishape[d];
  for (size_t d = b + last; d < x.rank(); ++d) slice *= x.shape()[d];
  const int64_t batch_stride = b ? strides[b - 1] : 0;
  const std::vector<int64_t> indices = index_tensor.to_int64();
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
    const int64_t* row = indices.data();
    for (int64_t batch = 0; batch < batches; ++batch)
      for (int64_t n = 0; n < per_batch; ++n, row += last) {
        int64_t offset = batch * batch_stride;
        for (size_t k = 0; k < last; ++k)
          offset += checked_index(ctx, row[k], x.shape()[b + k]) * strides[b + k];
        dst = std::copy(src + offset, src + offset + slice, dst);
      }
  });
}
}  // namespace

const OpDef& gather_nd_op() {
  static const OpDef def{
      .name = "GatherND", .versions = {11, 12, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
