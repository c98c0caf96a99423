// Slice: a strided window on some axes; bounds are clamped, steps may be negative.
#include "ops/tensor/slice.h"

#include "ops/tensor/tensor_common.h"

#include <algorithm>

namespace tandem::ops {
namespace {
struct SliceParams {
  std::vector<int64_t> starts, ends, axes, steps;
};

// Opset 1 carries starts/ends/axes as attributes and has no steps; opset 10 made them inputs
// 1-4 (axes and steps optional).
template <class Ctx, class Read>
std::optional<SliceParams> read_params(const Ctx& ctx, Read read) {
  SliceParams p;
  if (ctx.opset() < 10) {
    p.starts = ctx.template attr<std::vector<int64_t>>("starts");
    p.ends = ctx.template attr<std::vector<int64_t>>("ends");
    p.axes = ctx.template attr<std::vector<int64_t>>("axes", {});
  } else {
    auto starts = read(1), ends = read(2);
    auto axes = ctx.has_input(3) ? read(3) : std::optional<std::vector<int64_t>>(std::vector<int64_t>{});
    auto steps = ctx.has_input(4) ? read(4) : std::optional<std::vector<int64_t>>(std::vector<int64_t>{});
    if (!starts || !ends || !axes || !steps) return std::nullopt;
    p = {*starts, *ends, *axes, *steps};
  }
  if (p.starts.size() != p.ends.size())
    throw ctx.error(ErrorKind::InvalidModel, "starts {} and ends {} differ in length", to_string(p.starts),
                    to_string(p.ends));
  if (p.axes.empty())
    for (size_t i = 0; i < p.starts.size(); ++i) p.axes.push_back(int64_t(i));
  if (p.steps.empty()) p.steps.assign(p.starts.size(), 1);
  if (p.axes.size() != p.starts.size() || p.steps.size() != p.starts.size())
    throw ctx.error(ErrorKind::InvalidModel, "starts, ends, axes and steps differ in length");
  return p;
}

struct AxisWindow {
  int64_t start = 0, step = 1, size = 0;
};

AxisWindow window(const NodeContext& ctx, int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (step == 0) throw ctx.error(ErrorKind::InvalidModel, "slice step is 0");
  if (dim == 0) return {0, step, 0};
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
  }
  // ceil((end - start) / step) without overflow for the huge bounds models use for "to the end".
  int64_t size = 0;
  if (step > 0 && end > start) size = (end - start - 1) / step + 1;
  if (step < 0 && end < start) size = (start - end - 1) / -step + 1;
  return {start, step, size};
}

// The window per axis (identity for axes not sliced); throws on repeated or bad axes.
template <class DimOf>
std::vector<std::optional<AxisWindow>> windows(const NodeContext& ctx, const SliceParams& p, size_t rank,
                                               DimOf dim_of) {
  std::vector<std::optional<AxisWindow>> w(rank);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < p.axes.size(); ++i) {
    const size_t axis = size_t(normalize_axis(ctx, p.axes[i], rank));
    if (seen[axis]) throw ctx.error(ErrorKind::InvalidModel, "axis {} is repeated", p.axes[i]);
    seen[axis] = true;
    if (p.steps[i] == 0) throw ctx.error(ErrorKind::InvalidModel, "slice step is 0");
    if (auto dim = dim_of(axis))
      w[axis] = window(ctx, *dim, p.starts[i], p.ends[i], p.steps[i]);
    else
      w[axis] = AxisWindow{0, 0, -1};  // sliced, size unknown
  }
  return w;
}

void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  if (ctx.opset() >= 10)
    for (size_t i = 1; i <= 4; ++i) check_index_type(ctx, i);
  if (!in.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  auto p = read_params(ctx, [&](size_t i) { return known_ints(ctx, i); });
  if (!p) {
    ctx.set_output(0, ctx.input_type(0), PartialShape::of_rank(in.rank()));
    return;
  }
  auto w = windows(ctx, *p, in.rank(), [&](size_t axis) -> std::optional<int64_t> {
    if (!in[axis].is_static()) return std::nullopt;
    return in[axis].value;
  });
  std::vector<Dimension> out = in.dims();
  for (size_t d = 0; d < in.rank(); ++d)
    if (w[d]) out[d] = w[d]->size >= 0 ? Dimension(w[d]->size) : Dimension();
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const SliceView view = *slice_view(ctx, x.shape(), [&](size_t i) { return std::optional(input_ints(ctx, i)); });
  Tensor& y = ctx.allocate_output(0, x.element_type(), view.shape);
  strided_copy(x, view.base, view.strides, y);
}
}  // namespace

std::optional<SliceView> slice_view(const NodeContext& ctx, const Shape& x, const ReadInts& read) {
  auto p = read_params(ctx, read);
  if (!p) return std::nullopt;
  auto w = windows(ctx, *p, x.size(), [&](size_t axis) { return std::optional(x[axis]); });
  const std::vector<int64_t> in_strides = strides_of(x);
  SliceView view{x, in_strides, 0};
  for (size_t d = 0; d < x.size(); ++d) {
    if (!w[d]) continue;
    view.shape[d] = w[d]->size;
    view.strides[d] = in_strides[d] * w[d]->step;
    view.base += in_strides[d] * w[d]->start;
  }
  return view;
}

const OpDef& slice_op() {
  static const OpDef def{
      .name = "Slice", .versions = {1, 10, 11, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
