// Transpose: permutes the dims; without `perm` reverses them.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
std::vector<int64_t> permutation(const NodeContext& ctx, size_t rank) {
  std::vector<int64_t> perm = ctx.attr<std::vector<int64_t>>("perm", {});
  if (!ctx.has_attr("perm")) {
    for (size_t i = rank; i-- > 0;) perm.push_back(int64_t(i));
    return perm;
  }
  if (perm.size() != rank)
    throw ctx.error(ErrorKind::InvalidModel, "perm {} does not fit rank {}", to_string(perm), rank);
  std::vector<bool> seen(rank, false);
  for (int64_t& p : perm) {
    p = normalize_axis(ctx, p, rank);
    if (seen[size_t(p)]) throw ctx.error(ErrorKind::InvalidModel, "perm {} repeats an axis", to_string(perm));
    seen[size_t(p)] = true;
  }
  return perm;
}

void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  if (!in.rank_known()) {
    const size_t rank = ctx.attr<std::vector<int64_t>>("perm", {}).size();
    ctx.set_output(0, ctx.input_type(0), rank ? PartialShape::of_rank(rank) : PartialShape());
    return;
  }
  std::vector<Dimension> out;
  for (int64_t p : permutation(ctx, in.rank())) out.push_back(in[size_t(p)]);
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::vector<int64_t> perm = permutation(ctx, x.rank());
  const std::vector<int64_t> in_strides = strides_of(x.shape());
  Shape out_shape;
  std::vector<int64_t> strides;
  for (int64_t p : perm) {
    out_shape.push_back(x.shape()[size_t(p)]);
    strides.push_back(in_strides[size_t(p)]);
  }
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  strided_copy(x, 0, strides, y);
}
}  // namespace

const OpDef& transpose_op() {
  static const OpDef def{.name = "Transpose",
                         .versions = {1, 13, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
