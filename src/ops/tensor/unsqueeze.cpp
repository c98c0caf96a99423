// Unsqueeze: inserts dims of size 1 at `axes` of the output.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Before opset 13 the axes are a required attribute; from 13 a required input. Opset 11 documented
// negative axes (counted in the output's rank); older models get the same reading.
std::vector<bool> inserted_dims(const NodeContext& ctx, size_t in_rank, const std::vector<int64_t>& axes) {
  const size_t rank = in_rank + axes.size();
  std::vector<bool> inserted(rank, false);
  for (int64_t a : axes) {
    size_t axis = size_t(normalize_axis(ctx, a, rank));
    if (inserted[axis]) throw ctx.error(ErrorKind::InvalidModel, "axis {} is repeated", a);
    inserted[axis] = true;
  }
  return inserted;
}

template <class D>
std::vector<D> unsqueezed(const std::vector<D>& in, const std::vector<bool>& inserted) {
  std::vector<D> out;
  size_t k = 0;
  for (bool ins : inserted) out.push_back(ins ? D(1) : in[k++]);
  return out;
}

void infer(InferContext& ctx) {
  std::optional<std::vector<int64_t>> axes;
  if (ctx.opset() < 13) {
    axes = ctx.attr<std::vector<int64_t>>("axes");
  } else {
    check_index_type(ctx, 1);
    axes = known_ints(ctx, 1);
  }
  const PartialShape& in = ctx.input_shape(0);
  if (!axes || !in.rank_known()) {
    const PartialShape& a = ctx.opset() >= 13 ? ctx.input_shape(1) : PartialShape();
    if (in.rank_known() && a.rank() == 1 && a[0].is_static())
      ctx.set_output(0, ctx.input_type(0), PartialShape::of_rank(in.rank() + size_t(a[0].value)));
    else if (in.rank_known() && axes)
      ctx.set_output(0, ctx.input_type(0), PartialShape::of_rank(in.rank() + axes->size()));
    else
      ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  ctx.set_output(0, ctx.input_type(0),
                 PartialShape(unsqueezed(in.dims(), inserted_dims(ctx, in.rank(), *axes))));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> axes = ctx.opset() < 13 ? ctx.attr<std::vector<int64_t>>("axes") : input_ints(ctx, 1);
  ctx.set_output(0, copy_reshaped(x, unsqueezed(x.shape(), inserted_dims(ctx, x.rank(), axes))));
}
}  // namespace

const OpDef& unsqueeze_op() {
  static const OpDef def{.name = "Unsqueeze",
                         .versions = {1, 11, 13, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
