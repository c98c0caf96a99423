// ScatterND: a copy of `data` with slices replaced (or reduced) at the positions that the rows
// of `indices` address.
#include "ops/tensor/scatter_reduction.h"
#include "ops/tensor/tensor_common.h"

#include <algorithm>

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  if (ctx.input_type(1) != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "indices must be i64, got {}", to_string(ctx.input_type(1)));
  if (ctx.input_type(2) != ctx.input_type(0))
    throw ctx.error(ErrorKind::InvalidModel, "updates are {}, data {}", to_string(ctx.input_type(2)),
                    to_string(ctx.input_type(0)));
  ctx.set_output(0, ctx.input_type(0), ctx.input_shape(0));
}

template <class T, class Combine>
void scatter(const NodeContext& ctx, const Tensor& x, const Tensor& indices_tensor, const T* src, T* dst,
             Combine combine) {
  const Shape& ishape = indices_tensor.shape();
  const size_t last = size_t(ishape.back());
  const std::vector<int64_t> strides = strides_of(x.shape());
  int64_t rows = 1, slice = 1;
  for (size_t d = 0; d + 1 < ishape.size(); ++d) rows *= ishape[d];
  for (size_t d = last; d < x.rank(); ++d) slice *= x.shape()[d];
  const std::vector<int64_t> indices = indices_tensor.to_int64();
  for (int64_t r = 0; r < rows; ++r) {
    int64_t offset = 0;
    for (size_t k = 0; k < last; ++k)
      offset += checked_index(ctx, indices[size_t(r) * last + k], x.shape()[k]) * strides[k];
    for (int64_t i = 0; i < slice; ++i) combine(dst[offset + i], src[r * slice + i]);
  }
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const Tensor& updates = ctx.input(2);
  const Shape& ishape = indices.shape();
  if (ishape.empty() || ishape.back() > int64_t(x.rank()) || ishape.back() < 0)
    throw ctx.error(ErrorKind::InvalidArgument, "indices {} do not fit data {}", describe(indices),
                    describe(x));
  Shape expected(ishape.begin(), ishape.end() - 1);
  expected.insert(expected.end(), x.shape().begin() + ishape.back(), x.shape().end());
  if (updates.shape() != expected || updates.element_type() != x.element_type())
    throw ctx.error(ErrorKind::InvalidArgument,
                    "updates are {}, expected shape {} for data {} and indices {}", describe(updates),
                    to_string(expected), describe(x), describe(indices));
  Tensor y = x.clone();
  ctx.set_output(0, y);
  const ScatterReduction reduction = scatter_reduction(ctx);
  if (reduction == ScatterReduction::None) {
    visit_storage(x.element_type(), [&]<class S>() {
      scatter<S>(ctx, x, indices, storage<S>(updates), storage<S>(y), [](S& t, const S& u) { t = u; });
    });
    return;
  }
  visit_numeric(x.element_type(), [&]<class T>() {
    scatter<T>(ctx, x, indices, updates.data<T>(), y.data<T>(), [&](T& t, const T& u) { scatter_combine(reduction, t, u); });
  });
}
}  // namespace

const OpDef& scatter_nd_op() {
  static const OpDef def{
      .name = "ScatterND", .versions = {11, 13, 16, 18}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
