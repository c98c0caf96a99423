// Concat: joins tensors along one axis.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Opset 1 had axis optional with default 1; opset 4 made it required; opset 11 documented negative
// axes, which older models get too.
int64_t concat_axis(const NodeContext& ctx, size_t rank) {
  int64_t axis = ctx.opset() < 4 ? ctx.attr<int64_t>("axis", 1) : ctx.attr<int64_t>("axis");
  return normalize_axis(ctx, axis, rank);
}

void infer(InferContext& ctx) {
  if (ctx.num_inputs() == 0) throw ctx.error(ErrorKind::InvalidModel, "needs at least one input");
  ElementType type = ElementType::Undefined;
  for (size_t i = 0; i < ctx.num_inputs() && type == ElementType::Undefined; ++i) type = ctx.input_type(i);
  std::optional<std::vector<Dimension>> out;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.input_type(i) != type && ctx.input_type(i) != ElementType::Undefined)
      throw ctx.error(ErrorKind::InvalidModel, "input {} is {}, input 0 is {}", i,
                      to_string(ctx.input_type(i)), to_string(type));
    const PartialShape& s = ctx.input_shape(i);
    if (s.rank_known() && !out) out = s.dims();
  }
  if (!out) {
    ctx.set_output(0, type, PartialShape());
    return;
  }
  const size_t rank = out->size();
  const size_t axis = size_t(concat_axis(ctx, rank));
  int64_t total = 0;
  bool total_known = true;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const PartialShape& s = ctx.input_shape(i);
    if (!s.rank_known()) {
      total_known = false;
      continue;
    }
    if (s.rank() != rank)
      throw ctx.error(ErrorKind::InvalidModel, "input {} has shape {}, input 0 rank {}", i, to_string(s),
                      rank);
    for (size_t d = 0; d < rank; ++d) {
      if (d == axis) continue;
      Dimension& o = (*out)[d];
      if (s[d].is_static() && o.is_static() && s[d].value != o.value)
        throw ctx.error(ErrorKind::InvalidModel, "input {} has shape {}, which does not match on dim {}", i,
                        to_string(s), d);
      if (!o.is_static() && s[d].is_static()) o = s[d];
    }
    if (s[axis].is_static())
      total += s[axis].value;
    else
      total_known = false;
  }
  (*out)[axis] = total_known ? Dimension(total) : Dimension();
  ctx.set_output(0, type, PartialShape(std::move(*out)));
}

void reference(KernelContext& ctx) {
  const Tensor& first = ctx.input(0);
  const size_t rank = first.rank();
  const size_t axis = size_t(concat_axis(ctx, rank));
  Shape out_shape = first.shape();
  out_shape[axis] = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& t = ctx.input(i);
    if (t.rank() != rank || t.element_type() != first.element_type())
      throw ctx.error(ErrorKind::InvalidArgument, "input {} is {}, input 0 is {}", i, describe(t),
                      describe(first));
    for (size_t d = 0; d < rank; ++d)
      if (d != axis && t.shape()[d] != first.shape()[d])
        throw ctx.error(ErrorKind::InvalidArgument, "input {} is {}, input 0 is {}", i, describe(t),
                        describe(first));
    out_shape[axis] += t.shape()[axis];
  }
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= out_shape[d];
  for (size_t d = axis + 1; d < rank; ++d) inner *= out_shape[d];
  Tensor& y = ctx.allocate_output(0, first.element_type(), out_shape);
  const int64_t out_row = out_shape[axis] * inner;
  visit_storage(first.element_type(), [&]<class S>() {
    S* dst = storage<S>(y);
    int64_t column = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.input(i);
      const S* src = storage<S>(t);
      const int64_t row = t.shape()[axis] * inner;
      for (int64_t o = 0; o < outer; ++o)
        std::copy(src + o * row, src + (o + 1) * row, dst + o * out_row + column);
      column += row;
    }
  });
}
}  // namespace

const OpDef& concat_op() {
  static const OpDef def{
      .name = "Concat", .versions = {1, 4, 11, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
