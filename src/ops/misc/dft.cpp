// DFT (opsets 17, 20): the discrete Fourier transform along one axis. The last dimension holds a
// real (1) or complex (2: real, imaginary) value; outputs are complex, except the inverse of a
// one-sided spectrum, which is real.
//
// Opset 17 takes the axis from an attribute (default 1); opset 20 from an optional scalar int64
// input 2 (default -2, the last signal axis). Both accept [-r, -2] and [0, r - 2].
#include <complex>
#include <optional>
#include <vector>

#include "ops/misc/fourier.h"
#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

struct DftLayout {
  int64_t axis = 1;
  int64_t outer = 1, n_in = 0, inner = 1;  // input lines: outer x n_in x inner
  int64_t channels = 1;                    // 1 real, 2 complex
  int64_t length = 0;                      // dft_length: the transform's size
  bool inverse = false, onesided = false;
  int64_t n_out = 0, out_channels = 2;
};

// Inverse and one-sided: the input is the first n/2+1 bins of a Hermitian spectrum, the output
// the real signal; its length defaults to 2 (bins - 1), an even signal.
int64_t default_length(bool inverse, bool onesided, int64_t n_in) {
  return inverse && onesided ? 2 * (n_in - 1) : n_in;
}

// The axis as the model gives it: attribute (opset 17) or input 2 (opset 20), not yet checked.
int64_t axis_of(const NodeContext& ctx, const Tensor* axis_input) {
  if (ctx.opset() < 20) return ctx.attr<int64_t>("axis", 1);
  if (ctx.has_attr("axis"))
    throw ctx.error(ErrorKind::InvalidModel, "opset 20 takes the axis as input 2, not an attribute");
  if (!axis_input) return -2;
  if (axis_input->element_type() != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "input 'axis' must be int64, got {}",
                    to_string(axis_input->element_type()));
  return scalar_int(ctx, *axis_input, "axis");
}

int64_t checked_axis(const NodeContext& ctx, size_t rank, int64_t axis) {
  const int64_t r = int64_t(rank);
  const int64_t a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r - 2)
    throw ctx.error(ErrorKind::InvalidModel,
                    "axis {} is out of range for rank {}: the last dimension holds the complex "
                    "value, so axis must be in [{}, {}]",
                    axis, r, -r, r - 2);
  return a;
}

void check_channels(const NodeContext& ctx, int64_t channels, bool inverse, bool onesided) {
  if (channels != 1 && channels != 2)
    throw ctx.error(ErrorKind::InvalidModel,
                    "the last dimension must be 1 (real) or 2 (complex), got {}", channels);
  if (onesided && !inverse && channels == 2)
    throw ctx.error(ErrorKind::InvalidModel, "a one-sided forward DFT needs a real input");
}

int64_t checked_length(const NodeContext& ctx, int64_t length) {
  if (length <= 0)
    throw ctx.error(ErrorKind::InvalidArgument, "dft_length must be > 0, got {}", length);
  return length;
}

int64_t output_bins(const DftLayout& l) {
  return l.onesided && !l.inverse ? l.length / 2 + 1 : l.length;
}

void infer(InferContext& ctx) {
  const ElementType type = ctx.input_type(0);
  if (type != ElementType::F32 && type != ElementType::F64 && type != ElementType::F16 &&
      type != ElementType::BF16)
    throw ctx.error(ErrorKind::InvalidModel, "input must be a floating-point tensor, got {}",
                    to_string(type));
  const PartialShape& in = ctx.input_shape(0);
  if (!in.rank_known()) {
    ctx.set_output(0, type, PartialShape());
    return;
  }
  if (in.rank() < 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must have rank >= 2, got {}", in.rank());
  const bool inverse = ctx.attr<int64_t>("inverse", 0) != 0;
  const bool onesided = ctx.attr<int64_t>("onesided", 0) != 0;
  std::vector<Dimension> dims = in.dims();
  const bool axis_known = ctx.opset() < 20 || !ctx.has_input(2) || ctx.input_tensor(2);
  if (!axis_known) {  // only the rank and the last dimension can be told
    for (size_t d = 0; d + 1 < dims.size(); ++d) dims[d] = Dimension();
    dims.back() = inverse && onesided ? 1 : 2;
    ctx.set_output(0, type, PartialShape(std::move(dims)));
    return;
  }
  const int64_t axis = checked_axis(
      ctx, in.rank(), axis_of(ctx, ctx.has_input(2) ? ctx.input_tensor(2) : nullptr));
  if (dims.back().is_static()) check_channels(ctx, dims.back().value, inverse, onesided);

  std::optional<int64_t> length;
  if (ctx.has_input(1)) {
    if (const Tensor* t = ctx.input_tensor(1))
      length = checked_length(ctx, scalar_int(ctx, *t, "dft_length"));
  } else if (dims[axis].is_static()) {
    length = default_length(inverse, onesided, dims[axis].value);
  }
  dims[axis] = !length ? Dimension() : Dimension(onesided && !inverse ? *length / 2 + 1 : *length);
  dims.back() = inverse && onesided ? 1 : 2;
  ctx.set_output(0, type, PartialShape(std::move(dims)));
}

DftLayout layout_of(const KernelContext& ctx, const Shape& shape) {
  DftLayout l;
  l.inverse = ctx.attr<int64_t>("inverse", 0) != 0;
  l.onesided = ctx.attr<int64_t>("onesided", 0) != 0;
  const bool axis_input = ctx.opset() >= 20 && ctx.has_input(2);
  l.axis = checked_axis(ctx, shape.size(), axis_of(ctx, axis_input ? &ctx.input(2) : nullptr));
  l.channels = shape.back();
  check_channels(ctx, l.channels, l.inverse, l.onesided);
  for (int64_t d = 0; d < l.axis; ++d) l.outer *= shape[d];
  l.n_in = shape[l.axis];
  for (size_t d = l.axis + 1; d + 1 < shape.size(); ++d) l.inner *= shape[d];
  l.length = ctx.has_input(1) ? checked_length(ctx, scalar_int(ctx, ctx.input(1), "dft_length"))
                              : checked_length(ctx, default_length(l.inverse, l.onesided, l.n_in));
  l.n_out = output_bins(l);
  l.out_channels = l.inverse && l.onesided ? 1 : 2;
  return l;
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const DftLayout l = layout_of(ctx, x.shape());
  Tensor& y = ctx.output(0);
  const std::vector<double> in = x.to_double();
  std::vector<double> out(size_t(y.size()), 0.0);
  const FourierPlan plan(size_t(l.length), l.inverse);
  const int64_t n = l.length;
  std::vector<std::complex<double>> line(n), spectrum(n);
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t i = 0; i < l.inner; ++i) {
      auto at = [&](int64_t j) {  // input element j of this line; signals are zero-padded
        if (j >= l.n_in) return std::complex<double>();
        const double* p = &in[((o * l.n_in + j) * l.inner + i) * l.channels];
        return std::complex<double>(p[0], l.channels == 2 ? p[1] : 0.0);
      };
      if (l.inverse && l.onesided) {
        for (int64_t k = 0; k <= n / 2; ++k) line[k] = at(k);
        for (int64_t k = n / 2 + 1; k < n; ++k) line[k] = std::conj(line[n - k]);
      } else {
        for (int64_t j = 0; j < n; ++j) line[j] = at(j);
      }
      plan.transform(line, spectrum);
      for (int64_t k = 0; k < l.n_out; ++k) {
        double* q = &out[((o * l.n_out + k) * l.inner + i) * l.out_channels];
        q[0] = spectrum[k].real();
        if (l.out_channels == 2) q[1] = spectrum[k].imag();
      }
    }
  }
  store_doubles(y, out);
}

}  // namespace

const OpDef& dft_op() {
  static const OpDef def{.name = "DFT", .versions = {17, 20}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
