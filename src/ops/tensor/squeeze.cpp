// Squeeze: removes dims of size 1, those listed in `axes` or all of them.
#include "ops/tensor/tensor_common.h"

#include <algorithm>

namespace tandem::ops {
namespace {
// Before opset 13 the axes are an attribute; from 13 an optional input. Opset 11 documented
// negative axes; older models get the same reading. Without axes every dim of size 1 goes,
// which needs the shape.
std::optional<std::vector<int64_t>> squeeze_axes(const InferContext& ctx, bool& known) {
  known = true;
  if (ctx.opset() < 13) {
    if (!ctx.has_attr("axes")) return std::nullopt;
    return ctx.attr<std::vector<int64_t>>("axes");
  }
  if (!ctx.has_input(1)) return std::nullopt;
  auto axes = known_ints(ctx, 1);
  known = axes.has_value();
  return axes;
}

// Which dims of `in` stay; throws when an axis names a dim that is known not to be 1.
std::vector<bool> removed_dims(const NodeContext& ctx, const PartialShape& in,
                               const std::optional<std::vector<int64_t>>& axes) {
  std::vector<bool> removed(in.rank(), false);
  if (!axes) {
    for (size_t i = 0; i < in.rank(); ++i) removed[i] = in[i].is_static() && in[i].value == 1;
    return removed;
  }
  for (int64_t a : *axes) {
    size_t axis = size_t(normalize_axis(ctx, a, in.rank()));
    if (removed[axis]) throw ctx.error(ErrorKind::InvalidModel, "axis {} is repeated", a);
    if (in[axis].is_static() && in[axis].value != 1)
      throw ctx.error(ErrorKind::InvalidModel, "cannot squeeze dim {} of size {} in shape {}", axis,
                      in[axis].value, to_string(in));
    removed[axis] = true;
  }
  return removed;
}

void infer(InferContext& ctx) {
  if (ctx.opset() >= 13) check_index_type(ctx, 1);
  bool known = true;
  auto axes = squeeze_axes(ctx, known);
  const PartialShape& in = ctx.input_shape(0);
  if (!known || !in.rank_known() || (!axes && !in.is_static())) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  std::vector<bool> removed = removed_dims(ctx, in, axes);
  std::vector<Dimension> out;
  for (size_t i = 0; i < in.rank(); ++i)
    if (!removed[i]) out.push_back(in[i]);
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::optional<std::vector<int64_t>> axes;
  if (ctx.opset() < 13 && ctx.has_attr("axes")) axes = ctx.attr<std::vector<int64_t>>("axes");
  if (ctx.opset() >= 13 && ctx.has_input(1)) axes = input_ints(ctx, 1);
  std::vector<bool> removed = removed_dims(ctx, PartialShape(x.shape()), axes);
  Shape out;
  for (size_t i = 0; i < x.rank(); ++i)
    if (!removed[i]) out.push_back(x.shape()[i]);
  ctx.set_output(0, copy_reshaped(x, std::move(out)));
}
}  // namespace

const OpDef& squeeze_op() {
  static const OpDef def{.name = "Squeeze",
                         .versions = {1, 11, 13, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
