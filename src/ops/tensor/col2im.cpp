// Col2Im (opset 18): sums column blocks [N, C * prod(block), L] back into images
// [N, C, *image_shape], the inverse layout of im2col (PyTorch's fold) in any number of dims.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
struct Geometry {
  std::vector<int64_t> image, block, strides, pads, dilations;
  std::vector<int64_t> blocks;  // sliding positions per spatial dim
  int64_t block_size = 1, num_blocks = 1;
};

std::vector<int64_t> per_dim(const NodeContext& ctx, const char* name, size_t n, int64_t fallback) {
  std::vector<int64_t> v = ctx.attr<std::vector<int64_t>>(name, std::vector<int64_t>(n, fallback));
  if (v.size() != n)
    throw ctx.error(ErrorKind::InvalidModel, "{} {} do not fit {} spatial dims", name, to_string(v),
                    n);
  return v;
}

Geometry geometry_of(const NodeContext& ctx, std::vector<int64_t> image,
                     std::vector<int64_t> block) {
  const size_t n = image.size();
  if (n == 0 || block.size() != n)
    throw ctx.error(ErrorKind::InvalidModel,
                    "image_shape {} and block_shape {} must be non-empty and alike",
                    to_string(image), to_string(block));
  Geometry g{.image = std::move(image), .block = std::move(block)};
  g.strides = per_dim(ctx, "strides", n, 1);
  g.dilations = per_dim(ctx, "dilations", n, 1);
  g.pads = per_dim(ctx, "pads", 2 * n, 0);
  for (size_t d = 0; d < n; ++d) {
    if (g.image[d] < 0 || g.block[d] <= 0 || g.strides[d] <= 0 || g.dilations[d] <= 0 ||
        g.pads[d] < 0 || g.pads[n + d] < 0)
      throw ctx.error(
          ErrorKind::InvalidModel,
          "image_shape {}, block_shape {}, strides, dilations and pads must be positive",
          to_string(g.image), to_string(g.block));
    const int64_t span = g.dilations[d] * (g.block[d] - 1) + 1;
    const int64_t room = g.image[d] + g.pads[d] + g.pads[n + d] - span;
    if (room < 0)
      throw ctx.error(ErrorKind::InvalidModel, "block {} does not fit image {} with pads {}",
                      to_string(g.block), to_string(g.image), to_string(g.pads));
    g.blocks.push_back(room / g.strides[d] + 1);
    g.block_size *= g.block[d];
    g.num_blocks *= g.blocks.back();
  }
  return g;
}

void infer(InferContext& ctx) {
  if (ctx.input_type(1) != ElementType::I64 || ctx.input_type(2) != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "image_shape and block_shape must be i64");
  const PartialShape& in = ctx.input_shape(0);
  if (in.rank_known() && in.rank() != 3)
    throw ctx.error(ErrorKind::InvalidModel, "input must be 3-D [N, C * prod(block), L], got {}",
                    to_string(in));
  auto image = known_ints(ctx, 1);
  auto block = known_ints(ctx, 2);
  if (!image) {
    const PartialShape& s = ctx.input_shape(1);
    const bool rank_known = s.rank() == 1 && s[0].is_static();
    ctx.set_output(0, ctx.input_type(0),
                   rank_known ? PartialShape::of_rank(2 + size_t(s[0].value)) : PartialShape());
    return;
  }
  std::vector<Dimension> out(2 + image->size());
  for (size_t d = 0; d < image->size(); ++d) out[2 + d] = (*image)[d];
  if (in.rank_known()) {
    out[0] = in[0];
    if (block && in[1].is_static()) {
      const Geometry g = geometry_of(ctx, *image, *block);
      if (in[1].value % g.block_size != 0)
        throw ctx.error(ErrorKind::InvalidModel,
                        "dim 1 of {} is not a multiple of the block size {}", to_string(in),
                        g.block_size);
      out[1] = in[1].value / g.block_size;
    }
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Geometry g = geometry_of(ctx, input_ints(ctx, 1), input_ints(ctx, 2));
  if (x.rank() != 3 || x.shape()[1] % g.block_size != 0 || x.shape()[2] != g.num_blocks)
    throw ctx.error(ErrorKind::InvalidArgument, "input {} is not [N, C * {}, {}]", describe(x),
                    g.block_size, g.num_blocks);
  const size_t n = g.image.size();
  const int64_t batch = x.shape()[0], channels = x.shape()[1] / g.block_size;
  Shape out_shape{batch, channels};
  out_shape.insert(out_shape.end(), g.image.begin(), g.image.end());
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  const int64_t image_size = shape_size(g.image);
  if (y.size() == 0 || x.size() == 0) return;
  // For every (kernel offset, block position) pair, the image element it adds to, or -1 when it
  // falls in the padding: the same for every batch and channel.
  const std::vector<int64_t> image_strides = strides_of(g.image);
  std::vector<int64_t> target(size_t(g.block_size * g.num_blocks));
  std::vector<int64_t> k(n, 0);
  for (int64_t kk = 0; kk < g.block_size; ++kk) {
    std::vector<int64_t> b(n, 0);
    for (int64_t bb = 0; bb < g.num_blocks; ++bb) {
      int64_t offset = 0;
      for (size_t d = 0; d < n && offset >= 0; ++d) {
        const int64_t i = b[d] * g.strides[d] - g.pads[d] + k[d] * g.dilations[d];
        offset = i < 0 || i >= g.image[d] ? -1 : offset + i * image_strides[d];
      }
      target[size_t(kk * g.num_blocks + bb)] = offset;
      for (size_t d = n; d-- > 0;) {
        if (++b[d] < g.blocks[d]) break;
        b[d] = 0;
      }
    }
    for (size_t d = n; d-- > 0;) {
      if (++k[d] < g.block[d]) break;
      k[d] = 0;
    }
  }
  visit_numeric(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    std::vector<C> sum(static_cast<size_t>(image_size));
    for (int64_t plane = 0; plane < batch * channels; ++plane) {
      std::fill(sum.begin(), sum.end(), C(0));
      const T* col = src + plane * g.block_size * g.num_blocks;
      for (size_t j = 0; j < target.size(); ++j)
        if (target[j] >= 0) sum[size_t(target[j])] += C(col[j]);
      for (int64_t i = 0; i < image_size; ++i) dst[plane * image_size + i] = T(sum[size_t(i)]);
    }
  });
}
}  // namespace

const OpDef& col2im_op() {
  static const OpDef def{
      .name = "Col2Im", .versions = {18}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
