// BlackmanWindow, HammingWindow and HannWindow (opset 17): generalised cosine windows,
// w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), N = size (periodic) or size - 1 (symmetric).
#include <cmath>
#include <numbers>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

struct CosineWindow {
  double a0, a1, a2;
};

// Hamming's coefficients are the exact 25/46 and 21/46 ONNX's own tests use, not 0.54 and 0.46.
constexpr CosineWindow kBlackman{0.42, 0.5, 0.08};
constexpr CosineWindow kHamming{25.0 / 46.0, 21.0 / 46.0, 0.0};
constexpr CosineWindow kHann{0.5, 0.5, 0.0};

constexpr unsigned kWindowTypes = kNumeric;

ElementType output_type(const NodeContext& ctx) {
  return dtype_attr(ctx, "output_datatype", ElementType::F32, kWindowTypes);
}

int64_t window_size(const NodeContext& ctx, const Tensor& size) {
  const int64_t n = scalar_int(ctx, size, "size");
  if (n < 0) throw ctx.error(ErrorKind::InvalidArgument, "window size must be >= 0, got {}", n);
  return n;
}

void infer(InferContext& ctx) {
  const ElementType type = output_type(ctx);
  const ElementType size_type = ctx.input_type(0);
  if (size_type != ElementType::I32 && size_type != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "size must be int32 or int64, got {}",
                    to_string(size_type));
  if (const Tensor* size = ctx.input_tensor(0)) {
    ctx.set_output(0, type, PartialShape(std::vector<int64_t>{window_size(ctx, *size)}));
    return;
  }
  ctx.set_output(0, type, PartialShape::of_rank(1));
}

template <const CosineWindow& w>
void reference(KernelContext& ctx) {
  const int64_t size = window_size(ctx, ctx.input(0));
  const bool periodic = ctx.attr<int64_t>("periodic", 1) != 0;
  const double n_total = double(periodic ? size : size - 1);
  std::vector<double> values(size_t(size), 1.0);  // a one-point symmetric window is [1], as torch's
  if (n_total > 0) {
    const double step = 2.0 * std::numbers::pi / n_total;
    for (int64_t n = 0; n < size; ++n)
      values[n] =
          w.a0 - w.a1 * std::cos(step * double(n)) + w.a2 * std::cos(2.0 * step * double(n));
  }
  store_doubles(ctx.output(0), values);
}

}  // namespace

const OpDef& blackman_window_op() {
  static const OpDef def{.name = "BlackmanWindow",
                         .versions = {17},
                         .infer = infer,
                         .reference = reference<kBlackman>};
  return def;
}

const OpDef& hamming_window_op() {
  static const OpDef def{
      .name = "HammingWindow", .versions = {17}, .infer = infer, .reference = reference<kHamming>};
  return def;
}

const OpDef& hann_window_op() {
  static const OpDef def{
      .name = "HannWindow", .versions = {17}, .infer = infer, .reference = reference<kHann>};
  return def;
}

}  // namespace tandem::ops
