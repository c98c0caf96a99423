// ConvInteger: int32 convolution of uint8/int8 X and W shifted by their zero points (padding
// reads as X's zero point).
#include "ops/math/quantized.h"
#include "ops/nn/conv_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

void infer(InferContext& ctx) {
  std::vector<int64_t> out;
  conv_window(ctx, ctx.input_shape(0), ctx.input_shape(1), out);
  ctx.set_output(0, ElementType::I32, out.empty() ? PartialShape() : partial_shape(out));
}

// x_zero_point is a scalar; w_zero_point a scalar or one per output channel.
void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  std::vector<int64_t> out;
  Window window = conv_window(ctx, PartialShape(x.shape()), PartialShape(w.shape()), out);
  const Window3 w3 = to_window3(ctx, window, spatial_dims(PartialShape(x.shape())),
                                std::vector<int64_t>(out.begin() + 2, out.end()));
  const int64_t out_channels = w.shape()[0];
  const std::vector<int32_t> x32 =
      shift_by_zero_point(ctx, x, ctx.has_input(2) ? &ctx.input(2) : nullptr, 1, 1, "x");
  const std::vector<int32_t> w32 =
      shift_by_zero_point(ctx, w, ctx.has_input(3) ? &ctx.input(3) : nullptr, out_channels,
                          out_channels ? w.size() / out_channels : 1, "w");
  conv_forward<int32_t>(x32.data(), w32.data(), ctx.output(0).data<int32_t>(), x.shape()[0],
                        x.shape()[1], out_channels, ctx.attr<int64_t>("group", 1), w3);
}

}  // namespace

const OpDef& conv_integer_op() {
  static const OpDef def{.name = "ConvInteger",
                         .domain = "",
                         .versions = {10},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
