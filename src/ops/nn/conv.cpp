// Conv: N-d convolution (1-D to 3-D) with groups, strides, dilations, pads and auto_pad.
#include "ops/dispatch.h"
#include "ops/math/gemm_kernel.h"
#include "ops/nn/conv_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 11 only reworded auto_pad and kernel_shape in the docs; both versions infer kernel_shape
// from W when it is absent, so one code path serves both. Opset 22 added bfloat16.
void check_bias(const NodeContext& ctx, const Shape& bias, int64_t channels) {
  if (bias.size() != 1 || bias[0] != channels)
    throw ctx.error(ErrorKind::InvalidModel, "B has shape {}, expected [{}]", to_string(bias),
                    channels);
}

void infer(InferContext& ctx) {
  std::vector<int64_t> out;
  conv_window(ctx, ctx.input_shape(0), ctx.input_shape(1), out);
  ctx.set_output(0, ctx.input_type(0), out.empty() ? PartialShape() : partial_shape(out));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  if (w.element_type() != x.element_type())
    throw ctx.error(ErrorKind::InvalidModel, "W is {}, X is {}", to_string(w.element_type()),
                    to_string(x.element_type()));
  std::vector<int64_t> out;
  Window window = conv_window(ctx, PartialShape(x.shape()), PartialShape(w.shape()), out);
  const Window3 w3 = to_window3(ctx, window, spatial_dims(PartialShape(x.shape())),
                                std::vector<int64_t>(out.begin() + 2, out.end()));
  const int64_t batch = x.shape()[0], channels = x.shape()[1], out_channels = w.shape()[0];
  const int64_t group = ctx.attr<int64_t>("group", 1);
  const bool has_bias = ctx.has_input(2);
  if (has_bias) check_bias(ctx, ctx.input(2).shape(), out_channels);
  Tensor& y = ctx.output(0);
  visit_float(x.element_type(), [&]<class T>() {
    if constexpr (is_half_v<T>) {
      std::vector<float> xf = widen(x.span<const T>()), wf = widen(w.span<const T>());
      std::vector<float> yf(size_t(y.size()));
      conv_forward<float>(xf.data(), wf.data(), yf.data(), batch, channels, out_channels, group,
                          w3);
      if (has_bias) {
        std::vector<float> bf = widen(ctx.input(2).span<const T>());
        add_channel_bias(yf.data(), bf.data(), batch, out_channels, w3.out_size());
      }
      narrow(yf, y.span<T>());
    } else {
      conv_forward<T>(x.data<T>(), w.data<T>(), y.data<T>(), batch, channels, out_channels, group,
                      w3);
      if (has_bias)
        add_channel_bias(y.data<T>(), ctx.input(2).data<T>(), batch, out_channels, w3.out_size());
    }
  });
}

}  // namespace

const OpDef& conv_op() {
  static const OpDef def{
      .name = "Conv", .domain = "", .versions = {1, 11, 22}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
