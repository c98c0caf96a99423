// Trilu: keeps the upper (or lower) triangle of the last two dims from the k-th diagonal, zeroing
// the rest.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  if (in.rank_known() && in.rank() < 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must have rank 2 or more, got shape {}", to_string(in));
  check_index_type(ctx, 1);
  ctx.set_output(0, ctx.input_type(0), in);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2)
    throw ctx.error(ErrorKind::InvalidArgument, "input must have rank 2 or more, got {}", describe(x));
  int64_t k = 0;
  if (ctx.has_input(1)) {
    std::vector<int64_t> kv = input_ints(ctx, 1);
    if (kv.size() != 1) throw ctx.error(ErrorKind::InvalidArgument, "k must be a scalar");
    k = kv[0];
  }
  const bool upper = ctx.attr<int64_t>("upper", 1) != 0;
  const int64_t rows = x.shape()[x.rank() - 2], cols = x.shape()[x.rank() - 1];
  const int64_t matrices = rows * cols != 0 ? x.size() / (rows * cols) : 0;
  Tensor y = x.clone();
  ctx.set_output(0, y);
  visit_storage(x.element_type(), [&]<class S>() {
    S* dst = storage<S>(y);
    for (int64_t m = 0; m < matrices; ++m)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          // Upper keeps c - r >= k; lower keeps c - r <= k.
          const bool keep = upper ? c - r >= k : c - r <= k;
          if (!keep) dst[(m * rows + r) * cols + c] = S{};
        }
  });
}
}  // namespace

const OpDef& trilu_op() {
  static const OpDef def{.name = "Trilu", .versions = {14}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
