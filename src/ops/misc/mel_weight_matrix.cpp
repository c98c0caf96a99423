// MelWeightMatrix (opset 17): triangular filters that map a one-sided spectrum onto mel bands.
#include <cmath>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

struct MelParams {
  int64_t num_mel_bins, dft_length, sample_rate;
  double lower_hz, upper_hz;
};

MelParams params_of(const NodeContext& ctx, const Tensor& bins, const Tensor& dft_length,
                    const Tensor& rate, const Tensor& lower, const Tensor& upper) {
  MelParams p{scalar_int(ctx, bins, "num_mel_bins"), scalar_int(ctx, dft_length, "dft_length"),
              scalar_int(ctx, rate, "sample_rate"), scalar_float(ctx, lower, "lower_edge_hertz"),
              scalar_float(ctx, upper, "upper_edge_hertz")};
  if (p.num_mel_bins <= 0 || p.dft_length <= 0 || p.sample_rate <= 0)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "num_mel_bins, dft_length and sample_rate must be > 0, got {}, {}, {}",
                    p.num_mel_bins, p.dft_length, p.sample_rate);
  if (!(p.lower_hz >= 0 && p.lower_hz <= p.upper_hz))
    throw ctx.error(ErrorKind::InvalidArgument,
                    "edges must satisfy 0 <= lower_edge_hertz <= upper_edge_hertz, got {} and {}",
                    p.lower_hz, p.upper_hz);
  return p;
}

ElementType output_type(const NodeContext& ctx) {
  return dtype_attr(ctx, "output_datatype", ElementType::F32, kNumeric);
}

void infer(InferContext& ctx) {
  const ElementType type = output_type(ctx);
  const Tensor* t[5];
  for (int i = 0; i < 5; ++i) t[i] = ctx.input_tensor(i);
  if (t[0] && t[1] && t[2] && t[3] && t[4]) {
    const MelParams p = params_of(ctx, *t[0], *t[1], *t[2], *t[3], *t[4]);
    ctx.set_output(0, type,
                   PartialShape(std::vector<int64_t>{p.dft_length / 2 + 1, p.num_mel_bins}));
    return;
  }
  std::vector<Dimension> dims(2);
  if (t[1]) dims[0] = scalar_int(ctx, *t[1], "dft_length") / 2 + 1;
  if (t[0]) dims[1] = scalar_int(ctx, *t[0], "num_mel_bins");
  ctx.set_output(0, type, PartialShape(std::move(dims)));
}

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

// As ONNX's reference and ONNX Runtime: num_mel_bins + 2 band edges spaced evenly in mel (the
// step divides by the number of edges, not the number of gaps), each snapped down to a spectrum
// bin; band i rises from edge i to edge i+1 and falls to edge i+2.
void reference(KernelContext& ctx) {
  const MelParams p =
      params_of(ctx, ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4));
  const int64_t bins = p.dft_length / 2 + 1, mels = p.num_mel_bins;
  const double low_mel = hz_to_mel(p.lower_hz), high_mel = hz_to_mel(p.upper_hz);
  const double step = (high_mel - low_mel) / double(mels + 2);
  std::vector<int64_t> edge(size_t(mels + 2));
  for (int64_t i = 0; i < mels + 2; ++i) {
    const double hz = mel_to_hz(double(i) * step + low_mel);
    edge[i] = int64_t(std::floor(double(p.dft_length + 1) * hz / double(p.sample_rate)));
    if (edge[i] < 0 || edge[i] >= bins)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "upper_edge_hertz {} maps beyond the {} spectrum bins of dft_length {} at "
                      "sample_rate {}",
                      p.upper_hz, bins, p.dft_length, p.sample_rate);
  }
  std::vector<double> out(size_t(bins * mels), 0.0);
  for (int64_t i = 0; i < mels; ++i) {
    const int64_t lo = edge[i], center = edge[i + 1], hi = edge[i + 2];
    if (center == lo) {
      out[center * mels + i] = 1.0;
    } else {
      for (int64_t j = lo; j <= center; ++j)
        out[j * mels + i] = double(j - lo) / double(center - lo);
    }
    for (int64_t j = center; j < hi; ++j) out[j * mels + i] = double(hi - j) / double(hi - center);
  }
  store_doubles(ctx.output(0), out);
}

}  // namespace

const OpDef& mel_weight_matrix_op() {
  static const OpDef def{
      .name = "MelWeightMatrix", .versions = {17}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
