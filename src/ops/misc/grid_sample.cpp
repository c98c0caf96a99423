// GridSample (opset 16): samples X [N, C, H, W] at the normalised (x, y) positions of grid
// [N, H_out, W_out, 2] by bilinear, nearest or bicubic interpolation, with zeros, border or
// reflection padding outside the image. Follows ONNX's reference (after torch's grid_sample):
// nearest rounds half to even, bicubic is Keys' with a = -0.75.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

enum class Mode { Bilinear, Nearest, Bicubic };
enum class Padding { Zeros, Border, Reflection };

struct Params {
  Mode mode;
  Padding padding;
  bool align_corners;
};

Params params_of(const NodeContext& ctx) {
  Params p{};
  const std::string mode = ctx.attr<std::string>("mode", "bilinear");
  const std::string padding = ctx.attr<std::string>("padding_mode", "zeros");
  if (mode == "bilinear")
    p.mode = Mode::Bilinear;
  else if (mode == "nearest")
    p.mode = Mode::Nearest;
  else if (mode == "bicubic")
    p.mode = Mode::Bicubic;
  else
    throw ctx.error(ErrorKind::InvalidModel, "mode must be bilinear, nearest or bicubic, got '{}'",
                    mode);
  if (padding == "zeros")
    p.padding = Padding::Zeros;
  else if (padding == "border")
    p.padding = Padding::Border;
  else if (padding == "reflection")
    p.padding = Padding::Reflection;
  else
    throw ctx.error(ErrorKind::InvalidModel,
                    "padding_mode must be zeros, border or reflection, got '{}'", padding);
  p.align_corners = ctx.attr<int64_t>("align_corners", 0) != 0;
  return p;
}

void check_shapes(const NodeContext& ctx, const PartialShape& x, const PartialShape& grid) {
  if (x.rank_known() && x.rank() != 4)
    throw ctx.error(ErrorKind::InvalidModel, "X must be 4-D [N, C, H, W], got {}", to_string(x));
  if (grid.rank_known() && (grid.rank() != 4 || (grid[3].is_static() && grid[3].value != 2)))
    throw ctx.error(ErrorKind::InvalidModel, "grid must be [N, H_out, W_out, 2], got {}",
                    to_string(grid));
  if (x.rank_known() && grid.rank_known() && x[0].is_static() && grid[0].is_static() &&
      x[0].value != grid[0].value)
    throw ctx.error(ErrorKind::InvalidModel, "X {} and grid {} have different batch sizes",
                    to_string(x), to_string(grid));
}

void infer(InferContext& ctx) {
  params_of(ctx);
  const ElementType grid_type = ctx.input_type(1);
  if (grid_type != ElementType::F32 && grid_type != ElementType::F64 &&
      grid_type != ElementType::F16)
    throw ctx.error(ErrorKind::InvalidModel, "grid must be float16, float or double, got {}",
                    to_string(grid_type));
  const PartialShape& x = ctx.input_shape(0);
  const PartialShape& grid = ctx.input_shape(1);
  check_shapes(ctx, x, grid);
  std::vector<Dimension> dims(4);
  if (x.rank_known()) dims[0] = x[0], dims[1] = x[1];
  if (grid.rank_known()) {
    if (!dims[0].is_static()) dims[0] = grid[0];
    dims[2] = grid[1], dims[3] = grid[2];
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(dims)));
}

// Maps a normalised coordinate in [-1, 1] to pixel units: corner pixel centres (align_corners)
// or the image's outer edges.
double denormalize(double n, int64_t length, bool align_corners) {
  return align_corners ? (n + 1) / 2.0 * double(length - 1) : ((n + 1) * double(length) - 1) / 2.0;
}

// Reflects x into [lo, hi] by bouncing off the borders as often as needed.
double reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo || x > hi) {
    const double dx = x < lo ? lo - x : x - hi;
    const double bounces = std::floor(dx / range);
    const double r = dx - bounces * range;
    const bool even = std::fmod(bounces, 2.0) == 0;
    return (x < lo) == even ? lo + r : hi - r;
  }
  return x;
}

struct Image {
  const double* data;
  int64_t h, w;
  Padding padding;
  double x_lo, x_hi, y_lo, y_hi;  // the valid coordinate range (depends on align_corners)

  double at(int64_t y, int64_t x) const {
    switch (padding) {
      case Padding::Zeros:
        return x >= 0 && x < w && y >= 0 && y < h ? data[y * w + x] : 0.0;
      case Padding::Border:
        return data[std::clamp<int64_t>(y, 0, h - 1) * w + std::clamp<int64_t>(x, 0, w - 1)];
      case Padding::Reflection:
        x = std::clamp<int64_t>(int64_t(reflect(double(x), x_lo, x_hi)), 0, w - 1);
        y = std::clamp<int64_t>(int64_t(reflect(double(y), y_lo, y_hi)), 0, h - 1);
        return data[y * w + x];
    }
    return 0.0;
  }
};

void cubic_coefficients(double t, double c[4]) {
  constexpr double a = -0.75;
  const double x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
  c[0] = ((a * x0 - 5 * a) * x0 + 8 * a) * x0 - 4 * a;
  c[1] = ((a + 2) * x1 - (a + 3)) * x1 * x1 + 1;
  c[2] = ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1;
  c[3] = ((a * x3 - 5 * a) * x3 + 8 * a) * x3 - 4 * a;
}

double sample(const Image& im, const Params& p, double x, double y) {
  if (!std::isfinite(x) || !std::isfinite(y)) return 0.0;
  if (p.padding == Padding::Zeros) {
    // Far outside every tap reads zero; bounding the coordinates keeps the integer casts defined.
    x = std::clamp(x, -double(im.w) - 8.0, double(im.w) + 8.0);
    y = std::clamp(y, -double(im.h) - 8.0, double(im.h) + 8.0);
  }
  if (p.mode == Mode::Nearest) {
    x = std::nearbyint(x);  // the default rounding mode: half to even, as torch
    y = std::nearbyint(y);
  }
  // Each coordinate outside the valid range moves into it alone, as in ONNX's reference (ONNX
  // Runtime moves both once either is out; that differs for bicubic near the border).
  auto bring_in = [&](double v, double lo, double hi, int64_t size) {
    if (v >= lo && v <= hi) return v;
    if (p.padding == Padding::Border) return std::clamp(v, 0.0, double(size - 1));
    if (p.padding == Padding::Reflection) return reflect(v, lo, hi);
    return v;
  };
  x = bring_in(x, im.x_lo, im.x_hi, im.w);
  y = bring_in(y, im.y_lo, im.y_hi, im.h);
  switch (p.mode) {
    case Mode::Nearest:
      return im.at(int64_t(y), int64_t(x));
    case Mode::Bilinear: {
      const double fx = std::floor(x), fy = std::floor(y);
      const int64_t x1 = int64_t(fx), y1 = int64_t(fy);
      const double dx = x - fx, dy = y - fy;
      return (1 - dy) * ((1 - dx) * im.at(y1, x1) + dx * im.at(y1, x1 + 1)) +
             dy * ((1 - dx) * im.at(y1 + 1, x1) + dx * im.at(y1 + 1, x1 + 1));
    }
    case Mode::Bicubic: {
      const double fx = std::floor(x), fy = std::floor(y);
      const int64_t x0 = int64_t(fx) - 1, y0 = int64_t(fy) - 1;
      double cx[4], cy[4];
      cubic_coefficients(x - fx, cx);
      cubic_coefficients(y - fy, cy);
      double sum = 0;
      for (int i = 0; i < 4; ++i) {
        double row = 0;
        for (int j = 0; j < 4; ++j) row += cx[j] * im.at(y0 + i, x0 + j);
        sum += cy[i] * row;
      }
      return sum;
    }
  }
  return 0.0;
}

void reference(KernelContext& ctx) {
  const Params p = params_of(ctx);
  const Tensor& x_t = ctx.input(0);
  const Tensor& grid_t = ctx.input(1);
  check_shapes(ctx, PartialShape(x_t.shape()), PartialShape(grid_t.shape()));
  const int64_t n = x_t.shape()[0], channels = x_t.shape()[1];
  const int64_t h = x_t.shape()[2], w = x_t.shape()[3];
  const int64_t out_h = grid_t.shape()[1], out_w = grid_t.shape()[2];
  Tensor& y_t = ctx.output(0);
  if (y_t.size() == 0) return;
  if (h == 0 || w == 0)
    throw ctx.error(ErrorKind::InvalidArgument, "cannot sample an empty image {}",
                    to_string(x_t.shape()));
  const std::vector<double> x = x_t.to_double(), grid = grid_t.to_double();
  std::vector<double> y(size_t(y_t.size()));
  Image im{nullptr, h, w, p.padding, -0.5, double(w) - 0.5, -0.5, double(h) - 0.5};
  if (p.align_corners) im.x_lo = 0, im.x_hi = double(w - 1), im.y_lo = 0, im.y_hi = double(h - 1);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      im.data = &x[(b * channels + c) * h * w];
      double* out = &y[(b * channels + c) * out_h * out_w];
      const double* g = &grid[b * out_h * out_w * 2];
      for (int64_t i = 0; i < out_h * out_w; ++i)
        out[i] = sample(im, p, denormalize(g[2 * i], w, p.align_corners),
                        denormalize(g[2 * i + 1], h, p.align_corners));
    }
  }
  store_doubles(y_t, y);
}

}  // namespace

const OpDef& grid_sample_op() {
  static const OpDef def{
      .name = "GridSample", .versions = {16}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
