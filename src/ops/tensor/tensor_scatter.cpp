// TensorScatter (opset 24): a KV-cache update. A copy of past_cache with `update` written along
// the sequence axis at each batch's write index, linearly or wrapping around (circular).
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
bool is_circular(const NodeContext& ctx) {
  const std::string mode = ctx.attr<std::string>("mode", "linear");
  if (mode != "linear" && mode != "circular")
    throw ctx.error(ErrorKind::InvalidModel, "mode '{}' is neither linear nor circular", mode);
  return mode == "circular";
}

// The sequence axis; never 0, the batch.
size_t sequence_axis(const NodeContext& ctx, size_t rank) {
  const int64_t axis = ctx.attr<int64_t>("axis", -2);
  const size_t a = size_t(normalize_axis(ctx, axis, rank));
  if (a == 0) throw ctx.error(ErrorKind::InvalidModel, "axis {} names the batch dim", axis);
  return a;
}

void infer(InferContext& ctx) {
  is_circular(ctx);
  if (ctx.input_type(1) != ctx.input_type(0))
    throw ctx.error(ErrorKind::InvalidModel, "update is {}, past_cache {}",
                    to_string(ctx.input_type(1)), to_string(ctx.input_type(0)));
  if (ctx.has_input(2) && ctx.input_type(2) != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "write_indices must be i64, got {}",
                    to_string(ctx.input_type(2)));
  const PartialShape& cache = ctx.input_shape(0);
  if (cache.rank_known()) sequence_axis(ctx, cache.rank());
  ctx.set_output(0, ctx.input_type(0), cache);
}

void reference(KernelContext& ctx) {
  const Tensor& cache = ctx.input(0);
  const Tensor& update = ctx.input(1);
  const bool circular = is_circular(ctx);
  const size_t rank = cache.rank();
  if (rank < 2 || update.rank() != rank || update.element_type() != cache.element_type())
    throw ctx.error(ErrorKind::InvalidArgument, "update {} does not fit past_cache {}",
                    describe(update), describe(cache));
  const size_t axis = sequence_axis(ctx, rank);
  for (size_t d = 0; d < rank; ++d)
    if (d == axis ? update.shape()[d] > cache.shape()[d] : update.shape()[d] != cache.shape()[d])
      throw ctx.error(ErrorKind::InvalidArgument,
                      "update {} does not fit past_cache {} (sequence axis {})", describe(update),
                      describe(cache), axis);
  const int64_t batch = cache.shape()[0];
  std::vector<int64_t> write(size_t(batch), 0);
  if (ctx.has_input(2)) {
    const Tensor& w = ctx.input(2);
    if (w.element_type() != ElementType::I64 || w.size() != batch)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "write_indices {} must be i64 with one value per batch ({})", describe(w),
                      batch);
    write = w.to_int64();
  }
  // The cache as [batch, rest, max_len, inner], the update as [batch, rest, len, inner].
  int64_t rest = 1, inner = 1;
  for (size_t d = 1; d < axis; ++d) rest *= cache.shape()[d];
  for (size_t d = axis + 1; d < rank; ++d) inner *= cache.shape()[d];
  const int64_t max_len = cache.shape()[axis], len = update.shape()[axis];
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t start = write[size_t(b)];
    if (start < 0 || (!circular && start + len > max_len))
      throw ctx.error(
          ErrorKind::InvalidArgument,
          "write index {} of batch {} with {} new steps overflows the cache of {} (linear mode)",
          start, b, len, max_len);
  }
  Tensor y = cache.clone();
  ctx.set_output(0, y);
  if (len == 0 || max_len == 0) return;
  visit_storage(cache.element_type(), [&]<class S>() {
    const S* src = storage<S>(update);
    S* dst = storage<S>(y);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t r = 0; r < rest; ++r)
        for (int64_t s = 0; s < len; ++s) {
          const int64_t t = (write[size_t(b)] + s) % max_len;
          const S* from = src + ((b * rest + r) * len + s) * inner;
          std::copy(from, from + inner, dst + ((b * rest + r) * max_len + t) * inner);
        }
  });
}
}  // namespace

const OpDef& tensor_scatter_op() {
  static const OpDef def{
      .name = "TensorScatter", .versions = {24}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
