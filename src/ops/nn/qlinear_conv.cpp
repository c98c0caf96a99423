// QLinearConv: quantized convolution; int32 accumulation of the zero-point-shifted X and W plus
// the int32 bias, requantized to y's scale and zero point.
#include "ops/math/quantized.h"
#include "ops/nn/conv_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B. w's scale
// and zero point are scalars or one per output channel; the others scalars.
void infer(InferContext& ctx) {
  std::vector<int64_t> out;
  conv_window(ctx, ctx.input_shape(0), ctx.input_shape(3), out);
  ctx.set_output(0, ctx.input_type(7), out.empty() ? PartialShape() : partial_shape(out));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(3);
  std::vector<int64_t> out;
  Window window = conv_window(ctx, PartialShape(x.shape()), PartialShape(w.shape()), out);
  const Window3 w3 = to_window3(ctx, window, spatial_dims(PartialShape(x.shape())),
                                std::vector<int64_t>(out.begin() + 2, out.end()));
  const int64_t batch = x.shape()[0], out_channels = w.shape()[0];
  const std::vector<int32_t> x32 = shift_by_zero_point(ctx, x, &ctx.input(2), 1, 1, "x");
  const std::vector<int32_t> w32 = shift_by_zero_point(
      ctx, w, &ctx.input(5), out_channels, out_channels ? w.size() / out_channels : 1, "w");
  const std::vector<double> x_scale = per_axis_values(ctx, ctx.input(1), 1, "x_scale");
  const std::vector<double> w_scale = per_axis_values(ctx, ctx.input(4), out_channels, "w_scale");
  const std::vector<double> y_scale = per_axis_values(ctx, ctx.input(6), 1, "y_scale");
  const double y_zero = per_axis_values(ctx, ctx.input(7), 1, "y_zero_point")[0];
  std::vector<int32_t> acc(size_t(shape_size(Shape(out.begin(), out.end()))));
  conv_forward<int32_t>(x32.data(), w32.data(), acc.data(), batch, x.shape()[1], out_channels,
                        ctx.attr<int64_t>("group", 1), w3);
  if (ctx.has_input(8)) {
    const Tensor& bias = ctx.input(8);
    if (bias.element_type() != ElementType::I32 || bias.size() != out_channels)
      throw ctx.error(ErrorKind::InvalidModel, "B must be int32[{}], got {}", out_channels,
                      describe(bias));
    add_channel_bias(acc.data(), bias.data<int32_t>(), batch, out_channels, w3.out_size());
  }
  Tensor& y = ctx.output(0);
  visit_quantized(ctx, y.element_type(), "y", [&]<class Q>() {
    auto dst = y.span<Q>();
    const int64_t spatial = w3.out_size();
    for (size_t e = 0; e < dst.size(); ++e) {
      const int64_t m = (int64_t(e) / spatial) % out_channels;
      // The scale ratio in float, as the reference computes it, then applied in double.
      const float scale = float(x_scale[0]) * float(w_scale[w_scale.size() == 1 ? 0 : size_t(m)]) /
                          float(y_scale[0]);
      dst[e] = saturate_round<Q>(double(acc[e]) * double(scale) + y_zero);
    }
  });
}

}  // namespace

const OpDef& qlinear_conv_op() {
  static const OpDef def{.name = "QLinearConv",
                         .domain = "",
                         .versions = {10},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
