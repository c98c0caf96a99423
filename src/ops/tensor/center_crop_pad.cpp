// CenterCropPad (opset 18): crops or zero-pads dims to given sizes, keeping the content centred.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// The dims `shape` sizes: the `axes` attribute (negative from the back), else all of them.
std::vector<size_t> crop_axes(const NodeContext& ctx, size_t rank) {
  std::vector<size_t> axes;
  if (!ctx.has_attr("axes")) {
    for (size_t d = 0; d < rank; ++d) axes.push_back(d);
    return axes;
  }
  std::vector<bool> seen(rank, false);
  for (int64_t a : ctx.attr<std::vector<int64_t>>("axes")) {
    const size_t axis = size_t(normalize_axis(ctx, a, rank));
    if (seen[axis]) throw ctx.error(ErrorKind::InvalidModel, "axes repeat axis {}", a);
    seen[axis] = true;
    axes.push_back(axis);
  }
  return axes;
}

// Every dim's target size: the input's, replaced by `shape` on the axes.
std::vector<int64_t> target_sizes(const NodeContext& ctx, const Shape& in,
                                  const std::vector<int64_t>& shape) {
  const std::vector<size_t> axes = crop_axes(ctx, in.size());
  if (shape.size() != axes.size())
    throw ctx.error(ErrorKind::InvalidModel, "shape {} does not fit {} axes", to_string(shape),
                    axes.size());
  std::vector<int64_t> out = in;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (shape[i] < 0)
      throw ctx.error(ErrorKind::InvalidModel, "shape {} has a negative dim", to_string(shape));
    out[axes[i]] = shape[i];
  }
  return out;
}

void infer(InferContext& ctx) {
  check_index_type(ctx, 1);
  const PartialShape& in = ctx.input_shape(0);
  auto shape = known_ints(ctx, 1);
  if (!in.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  if (!shape) {
    ctx.set_output(0, ctx.input_type(0), PartialShape::of_rank(in.rank()));
    return;
  }
  const std::vector<size_t> axes = crop_axes(ctx, in.rank());
  if (shape->size() != axes.size())
    throw ctx.error(ErrorKind::InvalidModel, "shape {} does not fit {} axes", to_string(*shape),
                    axes.size());
  std::vector<Dimension> out = in.dims();
  for (size_t i = 0; i < axes.size(); ++i) {
    if ((*shape)[i] < 0)
      throw ctx.error(ErrorKind::InvalidModel, "shape {} has a negative dim", to_string(*shape));
    out[axes[i]] = (*shape)[i];
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const size_t rank = x.rank();
  const Shape out_shape = target_sizes(ctx, x.shape(), input_ints(ctx, 1));
  // Per dim, the window copied: `count` elements from in_start of the input to out_start of the
  // output. Cropping starts rounded down; padding puts the odd pixel on the right.
  std::vector<int64_t> in_start(rank, 0), out_start(rank, 0), count(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t in = x.shape()[d], out = out_shape[d];
    count[d] = std::min(in, out);
    if (out < in) in_start[d] = (in - out) / 2;
    if (out > in) out_start[d] = (out - in) / 2;
  }
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);  // zero-filled: the padding
  if (y.size() == 0 || shape_size(count) == 0) return;
  const std::vector<int64_t> in_strides = strides_of(x.shape()),
                             out_strides = strides_of(out_shape);
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
    if (rank == 0) {
      dst[0] = src[0];
      return;
    }
    const int64_t inner = count[rank - 1];
    std::vector<int64_t> pos(rank, 0);
    for (int64_t done = 0; done < shape_size(count); done += inner) {
      int64_t from = 0, to = 0;
      for (size_t d = 0; d < rank; ++d) {
        from += (in_start[d] + pos[d]) * in_strides[d];
        to += (out_start[d] + pos[d]) * out_strides[d];
      }
      std::copy(src + from, src + from + inner, dst + to);
      for (size_t d = rank - 1; d-- > 0;) {
        if (++pos[d] < count[d]) break;
        pos[d] = 0;
      }
    }
  });
}
}  // namespace

const OpDef& center_crop_pad_op() {
  static const OpDef def{
      .name = "CenterCropPad", .versions = {18}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
