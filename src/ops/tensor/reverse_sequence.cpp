// ReverseSequence: reverses the first sequence_lens[b] steps along the time axis of each batch.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
std::pair<size_t, size_t> axes_of(const NodeContext& ctx) {
  const int64_t time = ctx.attr<int64_t>("time_axis", 0), batch = ctx.attr<int64_t>("batch_axis", 1);
  if ((time != 0 && time != 1) || (batch != 0 && batch != 1) || time == batch)
    throw ctx.error(ErrorKind::InvalidModel, "time_axis {} and batch_axis {} must be 0 and 1 in some order",
                    time, batch);
  return {size_t(time), size_t(batch)};
}

void infer(InferContext& ctx) {
  axes_of(ctx);
  const PartialShape& in = ctx.input_shape(0);
  if (in.rank_known() && in.rank() < 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must have rank 2 or more, got {}", to_string(in));
  check_index_type(ctx, 1);
  ctx.set_output(0, ctx.input_type(0), in);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  auto [time_axis, batch_axis] = axes_of(ctx);
  if (x.rank() < 2)
    throw ctx.error(ErrorKind::InvalidArgument, "input must have rank 2 or more, got {}", describe(x));
  const std::vector<int64_t> lens = input_ints(ctx, 1);
  const int64_t steps = x.shape()[time_axis], batches = x.shape()[batch_axis];
  if (int64_t(lens.size()) != batches)
    throw ctx.error(ErrorKind::InvalidArgument, "sequence_lens has {} values for {} batches", lens.size(),
                    batches);
  for (int64_t len : lens)
    if (len < 0 || len > steps)
      throw ctx.error(ErrorKind::InvalidArgument, "sequence length {} is outside [0, {}]", len, steps);
  const std::vector<int64_t> strides = strides_of(x.shape());
  const int64_t inner = strides[1];  // elements per (dim0, dim1) cell
  Tensor y = x.clone();
  ctx.set_output(0, y);
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
    for (int64_t b = 0; b < batches; ++b)
      for (int64_t t = 0; t < lens[size_t(b)]; ++t) {
        const int64_t from = t * strides[time_axis] + b * strides[batch_axis];
        const int64_t to = (lens[size_t(b)] - 1 - t) * strides[time_axis] + b * strides[batch_axis];
        std::copy(src + from, src + from + inner, dst + to);
      }
  });
}
}  // namespace

const OpDef& reverse_sequence_op() {
  static const OpDef def{
      .name = "ReverseSequence", .versions = {10, 28}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
