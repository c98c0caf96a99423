// CausalConvWithState (opset 27): a depthwise 1-D convolution that sees only current and past
// positions. The input (batch, channels, length) is prefixed with the carried state (the last k-1
// positions seen, zeros without one); the output optionally goes through SiLU, and the new state
// is the last k-1 positions of the prefixed input.
#include <cmath>
#include <string>
#include <vector>

#include "ops/attention/attention_common.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

bool read_silu(const NodeContext& ctx) {
  const std::string activation = ctx.attr<std::string>("activation", "none");
  if (activation != "none" && activation != "silu" && activation != "swish")
    throw ctx.error(ErrorKind::InvalidModel, "activation '{}' is not one of none, silu, swish",
                    activation);
  return activation != "none";
}

void infer(InferContext& ctx) {
  read_silu(ctx);
  for (size_t i : {0, 1, 2, 3})
    if (ctx.has_input(i)) check_floating_input(ctx, i, "input, weight, bias, past_state");
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known() && x.rank() != 3)
    throw ctx.error(ErrorKind::InvalidModel, "input must be 3-D, got {}", to_string(x));
  const Dimension taps = dim_at(ctx.input_shape(1), 2);
  const Dimension carried = taps.is_static() ? Dimension(taps.value - 1) : Dimension();
  ctx.set_output(0, ctx.input_type(0), x);
  if (ctx.has_output(1))
    ctx.set_output(1, ctx.input_type(0), PartialShape({dim_at(x, 0), dim_at(x, 1), carried}));
}

void reference(KernelContext& ctx) {
  const bool silu = read_silu(ctx);
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  if (xs.size() != 3 || ws.size() != 3 || ws[0] != xs[1] || ws[1] != 1 || ws[2] < 1)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "input {} must be (batch, channels, length) and weight {} (channels, 1, k)",
                    to_string(xs), to_string(ws));
  const int64_t batch = xs[0], channels = xs[1], length = xs[2], taps = ws[2], carried = taps - 1;
  std::vector<double> bias(channels, 0.0);
  if (ctx.has_input(2)) {
    if (ctx.input(2).shape() != Shape{channels})
      throw ctx.error(ErrorKind::InvalidArgument, "bias must be [{}], got {}", channels,
                      to_string(ctx.input(2).shape()));
    bias = ctx.input(2).to_double();
  }
  std::vector<double> past(size_t(batch * channels * carried), 0.0);
  if (ctx.has_input(3)) {
    if (ctx.input(3).shape() != Shape{batch, channels, carried})
      throw ctx.error(ErrorKind::InvalidArgument, "past_state must be [{},{},{}], got {}", batch,
                      channels, carried, to_string(ctx.input(3).shape()));
    past = ctx.input(3).to_double();
  }
  const std::vector<double> xv = x.to_double(), wv = w.to_double();
  const ElementType type = x.element_type();

  const int64_t padded_length = carried + length;
  std::vector<double> padded(padded_length);
  std::vector<double> y(xv.size()), state(past.size());
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t row = b * channels + c;
      std::copy_n(past.data() + row * carried, carried, padded.data());
      std::copy_n(xv.data() + row * length, length, padded.data() + carried);
      const double* taps_c = wv.data() + c * taps;
      for (int64_t t = 0; t < length; ++t) {
        double sum = bias[c];
        for (int64_t i = 0; i < taps; ++i) sum += padded[t + i] * taps_c[i];
        // The reference rounds the convolution to the input type, then applies SiLU in float32.
        double out = round_as(type, sum);
        if (silu) out = double(float(out) * (1.0f / (1.0f + std::exp(-float(out)))));
        y[row * length + t] = out;
      }
      std::copy_n(padded.data() + length, carried, state.data() + row * carried);
    }
  store(y, ctx.output(0));
  if (ctx.has_output(1)) store(state, ctx.output(1));
}

}  // namespace

const OpDef& causal_conv_with_state_op() {
  static const OpDef def{
      .name = "CausalConvWithState", .versions = {27}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
