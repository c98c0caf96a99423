// ConvTranspose: the adjoint of Conv (1-D to 3-D), with groups, output_padding, output_shape and
// auto_pad.
#include <algorithm>

#include "ops/dispatch.h"
#include "ops/math/gemm_kernel.h"
#include "ops/nn/conv_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 11 only clarified the docs; 22 added bfloat16. Where output_shape is given, pads come from it: the total
// stride*(in-1) + output_padding + extent - output_shape (clamped at 0, as ONNX Runtime does, so a
// larger output_shape leaves zeros at the end) is split evenly, the odd unit at the end for
// SAME_UPPER and at the start otherwise. SAME_* without output_shape means output = in * stride.
struct Geometry {
  Window window;
  std::vector<int64_t> out;  // full output shape, -1 where unknown; empty: unknown rank
};

Geometry geometry(const NodeContext& ctx, const PartialShape& x, const PartialShape& w) {
  Geometry g;
  const int64_t group = ctx.attr<int64_t>("group", 1);
  if (group <= 0) throw ctx.error(ErrorKind::InvalidModel, "group must be positive, got {}", group);
  std::vector<int64_t> kernel;
  size_t rank = x.rank_known() ? x.rank() : w.rank();
  if (ctx.has_attr("kernel_shape")) {
    kernel = ctx.attr<std::vector<int64_t>>("kernel_shape");
    rank = kernel.size() + 2;
  } else if (!x.rank_known() && !w.rank_known()) {
    return g;
  }
  if (rank < 3)
    throw ctx.error(ErrorKind::InvalidModel,
                    "X must have rank 3 or more (N, C, spatial...), got {}", to_string(x));
  if (x.rank_known() && x.rank() != rank)
    throw ctx.error(ErrorKind::InvalidModel, "X has shape {}, expected rank {}", to_string(x),
                    rank);
  if (w.rank_known() && w.rank() != rank)
    throw ctx.error(ErrorKind::InvalidModel, "W has shape {}, expected rank {} like X",
                    to_string(w), rank);
  auto dim = [](const PartialShape& s, size_t i) -> int64_t {
    return s.rank_known() ? s[i].value : -1;
  };
  if (kernel.empty())
    for (size_t i = 2; i < rank; ++i) kernel.push_back(dim(w, i));
  const int64_t c = dim(x, 1), wc = dim(w, 0), wm = dim(w, 1);
  if (c >= 0 && wc >= 0 && c != wc)
    throw ctx.error(ErrorKind::InvalidModel, "X has {} channels but W {} expects {}", c,
                    to_string(w), wc);
  if (wc >= 0 && wc % group != 0)
    throw ctx.error(ErrorKind::InvalidModel, "{} input channels do not divide into {} groups", wc,
                    group);
  g.out = {dim(x, 0), wm >= 0 ? wm * group : -1};
  const size_t n = rank - 2;
  if (std::any_of(kernel.begin(), kernel.end(), [](int64_t k) { return k < 0; })) {
    g.out.resize(rank, -1);
    return g;
  }
  g.window = read_window(ctx, kernel, false);
  Window& win = g.window;
  auto output_padding =
      ctx.attr<std::vector<int64_t>>("output_padding", std::vector<int64_t>(n, 0));
  auto output_shape = ctx.attr<std::vector<int64_t>>("output_shape", {});
  if (output_shape.size() == rank)
    output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  if (output_padding.size() != n || (!output_shape.empty() && output_shape.size() != n))
    throw ctx.error(ErrorKind::InvalidModel,
                    "output_padding {} and output_shape {} must have one value per spatial "
                    "dimension ({})",
                    output_padding, output_shape, n);
  const bool same = win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER";
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = dim(x, i + 2);
    if (in < 0) {
      g.out.push_back(output_shape.empty() ? -1 : output_shape[i]);
      continue;
    }
    const int64_t natural = win.strides[i] * (in - 1) + output_padding[i] + win.extent(i);
    if (win.auto_pad == "VALID") win.pads[i] = win.pads[n + i] = 0;
    if (!output_shape.empty() || same) {
      const int64_t target = output_shape.empty() ? in * win.strides[i] : output_shape[i];
      const int64_t total = std::max<int64_t>(0, natural - target);
      const int64_t small = total / 2, large = total - small;
      win.pads[i] = win.auto_pad == "SAME_UPPER" ? small : large;
      win.pads[n + i] = win.auto_pad == "SAME_UPPER" ? large : small;
      g.out.push_back(target);
      continue;
    }
    const int64_t size = natural - win.pads[i] - win.pads[n + i];
    if (size < 0)
      throw ctx.error(ErrorKind::InvalidModel, "pads {} leave a negative output size", win.pads);
    g.out.push_back(size);
  }
  return g;
}

void infer(InferContext& ctx) {
  Geometry g = geometry(ctx, ctx.input_shape(0), ctx.input_shape(1));
  ctx.set_output(0, ctx.input_type(0), g.out.empty() ? PartialShape() : partial_shape(g.out));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  if (w.element_type() != x.element_type())
    throw ctx.error(ErrorKind::InvalidModel, "W is {}, X is {}", to_string(w.element_type()),
                    to_string(x.element_type()));
  Geometry g = geometry(ctx, PartialShape(x.shape()), PartialShape(w.shape()));
  const Window3 w3 = to_window3(ctx, g.window, spatial_dims(PartialShape(x.shape())),
                                std::vector<int64_t>(g.out.begin() + 2, g.out.end()));
  const int64_t batch = x.shape()[0], channels = x.shape()[1], out_channels = g.out[1];
  const int64_t group = ctx.attr<int64_t>("group", 1);
  const bool has_bias = ctx.has_input(2);
  if (has_bias) {
    const Shape& b = ctx.input(2).shape();
    if (b.size() != 1 || b[0] != out_channels)
      throw ctx.error(ErrorKind::InvalidModel, "B has shape {}, expected [{}]", to_string(b),
                      out_channels);
  }
  Tensor& y = ctx.output(0);
  visit_float(x.element_type(), [&]<class T>() {
    if constexpr (is_half_v<T>) {
      std::vector<float> xf = widen(x.span<const T>()), wf = widen(w.span<const T>());
      std::vector<float> yf(size_t(y.size()));
      conv_transpose_forward<float>(xf.data(), wf.data(), yf.data(), batch, channels, out_channels,
                                    group, w3);
      if (has_bias) {
        std::vector<float> bf = widen(ctx.input(2).span<const T>());
        add_channel_bias(yf.data(), bf.data(), batch, out_channels, w3.out_size());
      }
      narrow(yf, y.span<T>());
    } else {
      conv_transpose_forward<T>(x.data<T>(), w.data<T>(), y.data<T>(), batch, channels,
                                out_channels, group, w3);
      if (has_bias)
        add_channel_bias(y.data<T>(), ctx.input(2).data<T>(), batch, out_channels, w3.out_size());
    }
  });
}

}  // namespace

const OpDef& conv_transpose_op() {
  static const OpDef def{.name = "ConvTranspose",
                         .domain = "",
                         .versions = {1, 11, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
