// STFT (opset 17): DFTs of windowed frames sliding along a signal of shape [batch, length, 1|2];
// the output is [batch, frames, bins, 2].
#include <complex>
#include <optional>
#include <vector>

#include "ops/misc/fourier.h"
#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

constexpr int kSignal = 0, kFrameStep = 1, kWindow = 2, kFrameLength = 3;

struct Framing {
  int64_t step = 0, length = 0, frames = 0, bins = 0;
};

void check_signal_shape(const NodeContext& ctx, const PartialShape& s, bool onesided) {
  if (!s.rank_known()) return;
  if (s.rank() != 3)
    throw ctx.error(ErrorKind::InvalidModel, "signal must be [batch, length, 1 or 2], got {}",
                    to_string(s));
  if (!s[2].is_static()) return;
  if (s[2].value != 1 && s[2].value != 2)
    throw ctx.error(ErrorKind::InvalidModel,
                    "the signal's last dimension must be 1 (real) or 2 (complex), got {}",
                    s[2].value);
  if (s[2].value == 2 && onesided)
    throw ctx.error(ErrorKind::InvalidModel, "a one-sided STFT needs a real signal");
}

// Frame length: the frame_length input, else the window's length, else the whole signal.
std::optional<int64_t> frame_length(const NodeContext& ctx, const Tensor* length_input,
                                    std::optional<int64_t> window_length,
                                    std::optional<int64_t> signal_length) {
  std::optional<int64_t> length;
  if (length_input) length = scalar_int(ctx, *length_input, "frame_length");
  if (length && window_length && *length != *window_length)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "frame_length {} differs from the window's length {}", *length, *window_length);
  if (!length) length = window_length;
  if (!length && !ctx.has_input(kFrameLength) && !ctx.has_input(kWindow)) length = signal_length;
  return length;
}

Framing framing(const NodeContext& ctx, int64_t signal_length, int64_t step, int64_t length,
                bool onesided) {
  if (step <= 0)
    throw ctx.error(ErrorKind::InvalidArgument, "frame_step must be > 0, got {}", step);
  if (length <= 0 || length > signal_length)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "frame_length must be in [1, signal length {}], got {}", signal_length, length);
  return {step, length, (signal_length - length) / step + 1, onesided ? length / 2 + 1 : length};
}

void infer(InferContext& ctx) {
  const ElementType type = ctx.input_type(kSignal);
  if (type != ElementType::F32 && type != ElementType::F64 && type != ElementType::F16 &&
      type != ElementType::BF16)
    throw ctx.error(ErrorKind::InvalidModel, "signal must be a floating-point tensor, got {}",
                    to_string(type));
  const bool onesided = ctx.attr<int64_t>("onesided", 1) != 0;
  const PartialShape& s = ctx.input_shape(kSignal);
  check_signal_shape(ctx, s, onesided);
  std::optional<int64_t> window_length, signal_length;
  if (ctx.has_input(kWindow)) {
    const PartialShape& w = ctx.input_shape(kWindow);
    if (w.rank_known() && w.rank() != 1)
      throw ctx.error(ErrorKind::InvalidModel, "window must be 1-D, got {}", to_string(w));
    if (w.rank_known() && w[0].is_static()) window_length = w[0].value;
  }
  if (s.rank_known() && s[1].is_static()) signal_length = s[1].value;
  const Tensor* step = ctx.input_tensor(kFrameStep);
  const Tensor* length_input =
      ctx.has_input(kFrameLength) ? ctx.input_tensor(kFrameLength) : nullptr;
  const std::optional<int64_t> length =
      frame_length(ctx, length_input, window_length, signal_length);

  std::vector<Dimension> dims(4);
  dims[3] = 2;
  if (s.rank_known()) dims[0] = s[0];
  if (length) dims[2] = onesided ? *length / 2 + 1 : *length;
  if (length && step && signal_length)
    dims[1] = framing(ctx, *signal_length, scalar_int(ctx, *step, "frame_step"), *length, onesided)
                  .frames;
  ctx.set_output(0, type, PartialShape(std::move(dims)));
}

void reference(KernelContext& ctx) {
  const Tensor& signal = ctx.input(kSignal);
  const bool onesided = ctx.attr<int64_t>("onesided", 1) != 0;
  check_signal_shape(ctx, PartialShape(signal.shape()), onesided);
  const int64_t batch = signal.shape()[0], signal_length = signal.shape()[1];
  const int64_t channels = signal.shape()[2];
  std::vector<double> window;
  if (ctx.has_input(kWindow)) window = ctx.input(kWindow).to_double();
  const std::optional<int64_t> window_length =
      ctx.has_input(kWindow) ? std::optional<int64_t>(int64_t(window.size())) : std::nullopt;
  const Tensor* length_input = ctx.has_input(kFrameLength) ? &ctx.input(kFrameLength) : nullptr;
  const Framing f =
      framing(ctx, signal_length, scalar_int(ctx, ctx.input(kFrameStep), "frame_step"),
              *frame_length(ctx, length_input, window_length, signal_length), onesided);
  if (window.empty()) window.assign(size_t(f.length), 1.0);

  const std::vector<double> x = signal.to_double();
  Tensor& y = ctx.output(0);
  std::vector<double> out(size_t(y.size()));
  const FourierPlan plan(size_t(f.length), /*inverse=*/false);
  std::vector<std::complex<double>> frame(f.length), spectrum(f.length);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < f.frames; ++t) {
      for (int64_t j = 0; j < f.length; ++j) {
        const double* p = &x[(b * signal_length + t * f.step + j) * channels];
        frame[j] = std::complex<double>(p[0], channels == 2 ? p[1] : 0.0) * window[j];
      }
      plan.transform(frame, spectrum);
      double* q = &out[((b * f.frames + t) * f.bins) * 2];
      for (int64_t k = 0; k < f.bins; ++k) {
        q[2 * k] = spectrum[k].real();
        q[2 * k + 1] = spectrum[k].imag();
      }
    }
  }
  store_doubles(y, out);
}

}  // namespace

const OpDef& stft_op() {
  static const OpDef def{.name = "STFT", .versions = {17}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
