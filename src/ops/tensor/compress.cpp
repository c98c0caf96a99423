// Compress: keeps the slices along `axis` (or the elements of the flattened input) whose
// condition is true.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// The kept positions of a dim of size `dim`; a condition shorter than the dim drops the rest.
std::vector<int64_t> kept(const NodeContext& ctx, const Tensor& condition, int64_t dim) {
  if (condition.rank() != 1 || condition.element_type() != ElementType::Bool)
    throw ctx.error(ErrorKind::InvalidArgument, "condition must be 1-D bool, got {}", describe(condition));
  const bool* c = condition.data<bool>();
  std::vector<int64_t> out;
  for (int64_t i = 0; i < condition.size(); ++i) {
    if (!c[i]) continue;
    if (i >= dim)
      throw ctx.error(ErrorKind::InvalidArgument, "condition {} selects past the dim of size {}",
                      describe(condition), dim);
    out.push_back(i);
  }
  return out;
}

void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  if (!ctx.has_attr("axis")) {
    ctx.set_output(0, ctx.input_type(0), PartialShape::of_rank(1));
    return;
  }
  if (!in.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis"), in.rank()));
  std::vector<Dimension> out = in.dims();
  out[axis] = Dimension();
  const Tensor* condition = ctx.input_tensor(1);
  if (condition && in[axis].is_static()) out[axis] = int64_t(kept(ctx, *condition, in[axis].value).size());
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool flat = !ctx.has_attr("axis");
  const size_t axis = flat ? 0 : size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis"), x.rank()));
  const int64_t dim = flat ? x.size() : x.shape()[axis];
  const std::vector<int64_t> positions = kept(ctx, ctx.input(1), dim);
  int64_t outer = 1, inner = 1;
  Shape out_shape{int64_t(positions.size())};
  if (!flat) {
    for (size_t d = 0; d < axis; ++d) outer *= x.shape()[d];
    for (size_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape()[d];
    out_shape = x.shape();
    out_shape[axis] = int64_t(positions.size());
  }
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t p : positions) {
        const S* row = src + (o * dim + p) * inner;
        dst = std::copy(row, row + inner, dst);
      }
  });
}
}  // namespace

const OpDef& compress_op() {
  static const OpDef def{
      .name = "Compress", .versions = {9, 11, 28}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
