// GatherElements: out[i][j][k] = data[i][index[i][j][k]][k] (for axis 1), indices as big as out.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  check_index_type(ctx, 1);
  const PartialShape& data = ctx.input_shape(0);
  const PartialShape& indices = ctx.input_shape(1);
  if (data.rank_known() && indices.rank_known() && data.rank() != indices.rank())
    throw ctx.error(ErrorKind::InvalidModel, "data {} and indices {} differ in rank", to_string(data),
                    to_string(indices));
  if (data.rank_known()) normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), data.rank());
  ctx.set_output(0, ctx.input_type(0), indices);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& index_tensor = ctx.input(1);
  const size_t rank = x.rank();
  if (index_tensor.rank() != rank || rank == 0)
    throw ctx.error(ErrorKind::InvalidArgument, "data {} and indices {} must have one rank of 1 or more",
                    describe(x), describe(index_tensor));
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), rank));
  const Shape& shape = index_tensor.shape();
  for (size_t d = 0; d < rank; ++d)
    if (d != axis && shape[d] > x.shape()[d])
      throw ctx.error(ErrorKind::InvalidArgument, "indices {} exceed data {} on dim {}",
                      describe(index_tensor), describe(x), d);
  const std::vector<int64_t> indices = input_ints(ctx, 1);
  const std::vector<int64_t> strides = strides_of(x.shape());
  const int64_t dim = x.shape()[axis];
  Tensor& y = ctx.allocate_output(0, x.element_type(), shape);
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
    std::vector<int64_t> pos(rank, 0);
    int64_t base = 0;  // offset of pos in data, without the axis term
    for (size_t n = 0; n < indices.size(); ++n) {
      dst[n] = src[base + checked_index(ctx, indices[n], dim) * strides[axis]];
      for (size_t d = rank; d-- > 0;) {
        if (d != axis) base += strides[d];
        if (++pos[d] < shape[d]) break;
        if (d != axis) base -= strides[d] * pos[d];
        pos[d] = 0;
      }
    }
  });
}
}  // namespace

const OpDef& gather_elements_op() {
  static const OpDef def{
      .name = "GatherElements", .versions = {11, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
