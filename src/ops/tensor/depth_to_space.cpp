// DepthToSpace and SpaceToDepth: move blocks of b×b values between channels and the spatial dims
// of an NCHW tensor, as a 6-D reshape and transpose.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
int64_t block_size(const NodeContext& ctx) {
  const int64_t b = ctx.attr<int64_t>("blocksize");
  if (b <= 0) throw ctx.error(ErrorKind::InvalidModel, "blocksize {} must be positive", b);
  return b;
}

// DepthToSpace 11 and SpaceToDepth 28 added `mode`: DCR (depth-column-row, the default and the
// only earlier layout) or CRD. DepthToSpace 28 changed nothing but gained a function body.
bool is_crd(const NodeContext& ctx, bool to_space) {
  const bool has_mode = ctx.opset() >= (to_space ? 11 : 28);
  const std::string mode = has_mode ? ctx.attr<std::string>("mode", "DCR") : "DCR";
  if (mode != "DCR" && mode != "CRD") throw ctx.error(ErrorKind::InvalidModel, "unknown mode '{}'", mode);
  return mode == "CRD";
}

Dimension scaled(const Dimension& d, int64_t mul, int64_t div) {
  return d.is_static() ? Dimension(d.value * mul / div) : Dimension();
}

template <bool kToSpace>
void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  const int64_t b = block_size(ctx);
  is_crd(ctx, kToSpace);
  if (!in.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape::of_rank(4));
    return;
  }
  if (in.rank() != 4) throw ctx.error(ErrorKind::InvalidModel, "input must be 4-D, got {}", to_string(in));
  const int64_t channel_div = kToSpace ? b * b : 1, space_div = kToSpace ? 1 : b;
  if (in[1].is_static() && in[1].value % channel_div != 0)
    throw ctx.error(ErrorKind::InvalidModel, "channels of {} are not a multiple of {}", to_string(in), b * b);
  for (size_t d : {2, 3})
    if (in[d].is_static() && in[d].value % space_div != 0)
      throw ctx.error(ErrorKind::InvalidModel, "spatial dims of {} are not multiples of {}", to_string(in),
                      b);
  std::vector<Dimension> out = in.dims();
  if (kToSpace) {
    out = {in[0], scaled(in[1], 1, b * b), scaled(in[2], b, 1), scaled(in[3], b, 1)};
  } else {
    out = {in[0], scaled(in[1], b * b, 1), scaled(in[2], 1, b), scaled(in[3], 1, b)};
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

// Copies x viewed as `view` (6-D) transposed by `perm` into a new tensor of shape `out_shape`.
void permute_into(KernelContext& ctx, const Tensor& x, const Shape& view, const std::vector<size_t>& perm,
                  const Shape& out_shape) {
  const std::vector<int64_t> view_strides = strides_of(view);
  Shape permuted;
  std::vector<int64_t> strides;
  for (size_t p : perm) {
    permuted.push_back(view[p]);
    strides.push_back(view_strides[p]);
  }
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  Tensor y6 = y.reshaped(permuted);
  strided_copy(x, 0, strides, y6);
}

void depth_to_space(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t b = block_size(ctx);
  if (x.rank() != 4 || x.shape()[1] % (b * b) != 0)
    throw ctx.error(ErrorKind::InvalidArgument, "input {} must be 4-D with channels a multiple of {}",
                    describe(x), b * b);
  const int64_t n = x.shape()[0], c = x.shape()[1] / (b * b), h = x.shape()[2], w = x.shape()[3];
  const Shape out_shape{n, c, h * b, w * b};
  if (is_crd(ctx, true))
    permute_into(ctx, x, {n, c, b, b, h, w}, {0, 1, 4, 2, 5, 3}, out_shape);
  else
    permute_into(ctx, x, {n, b, b, c, h, w}, {0, 3, 4, 1, 5, 2}, out_shape);
}

void space_to_depth(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t b = block_size(ctx);
  if (x.rank() != 4 || x.shape()[2] % b != 0 || x.shape()[3] % b != 0)
    throw ctx.error(ErrorKind::InvalidArgument, "input {} must be 4-D with spatial dims multiples of {}",
                    describe(x), b);
  const int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2] / b, w = x.shape()[3] / b;
  if (is_crd(ctx, false))
    permute_into(ctx, x, {n, c, h, b, w, b}, {0, 1, 3, 5, 2, 4}, {n, c * b * b, h, w});
  else
    permute_into(ctx, x, {n, c, h, b, w, b}, {0, 3, 5, 1, 2, 4}, {n, c * b * b, h, w});
}
}  // namespace

const OpDef& depth_to_space_op() {
  static const OpDef def{.name = "DepthToSpace",
                         .versions = {1, 11, 13, 28},
                         .infer = infer<true>,
                         .reference = depth_to_space};
  return def;
}

const OpDef& space_to_depth_op() {
  static const OpDef def{.name = "SpaceToDepth",
                         .versions = {1, 13, 28},
                         .infer = infer<false>,
                         .reference = space_to_depth};
  return def;
}
}  // namespace tandem::ops
