// GridSample (opsets 16, 20, 22): samples X [N, C, D1, ..., Dr] at the normalised positions of
// grid [N, D1_out, ..., Dr_out, r] (innermost coordinate first: x, y, z) by N-linear, nearest or
// N-cubic interpolation, with zeros, border or reflection padding outside the input. Follows
// ONNX's reference (after torch's grid_sample): nearest rounds half to even, cubic is Keys' with
// a = -0.75.
//
// Opset 16 is 2-D only and names the modes bilinear, nearest and bicubic; opset 20 allows any
// number of spatial dimensions and renames them linear, nearest and cubic; 22 added bfloat16.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

enum class Mode { Linear, Nearest, Cubic };
enum class Padding { Zeros, Border, Reflection };

struct Params {
  Mode mode;
  Padding padding;
  bool align_corners;
};

Params params_of(const NodeContext& ctx) {
  Params p{};
  const bool renamed = ctx.opset() >= 20;
  const std::string linear = renamed ? "linear" : "bilinear";
  const std::string cubic = renamed ? "cubic" : "bicubic";
  const std::string mode = ctx.attr<std::string>("mode", linear);
  if (mode == linear)
    p.mode = Mode::Linear;
  else if (mode == "nearest")
    p.mode = Mode::Nearest;
  else if (mode == cubic)
    p.mode = Mode::Cubic;
  else
    throw ctx.error(ErrorKind::InvalidModel, "mode must be {}, nearest or {} at opset {}, got '{}'",
                    linear, cubic, ctx.opset(), mode);
  const std::string padding = ctx.attr<std::string>("padding_mode", "zeros");
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
  const bool any_rank = ctx.opset() >= 20;
  if (x.rank_known() && (any_rank ? x.rank() < 3 : x.rank() != 4))
    throw ctx.error(ErrorKind::InvalidModel, "X must be {}, got {}",
                    any_rank ? "[N, C, D1, ..., Dr] with r >= 1" : "4-D [N, C, H, W]",
                    to_string(x));
  if (grid.rank_known() && (any_rank ? grid.rank() < 3 : grid.rank() != 4))
    throw ctx.error(ErrorKind::InvalidModel, "grid must be {}, got {}",
                    any_rank ? "[N, D1_out, ..., Dr_out, r]" : "[N, H_out, W_out, 2]",
                    to_string(grid));
  if (grid.rank_known() && grid[grid.rank() - 1].is_static() &&
      grid[grid.rank() - 1].value != int64_t(grid.rank()) - 2)
    throw ctx.error(ErrorKind::InvalidModel, "grid {} must end in its {} spatial dimensions",
                    to_string(grid), grid.rank() - 2);
  if (!x.rank_known() || !grid.rank_known()) return;
  if (x.rank() != grid.rank())
    throw ctx.error(ErrorKind::InvalidModel, "X {} and grid {} must have the same rank",
                    to_string(x), to_string(grid));
  if (x[0].is_static() && grid[0].is_static() && x[0].value != grid[0].value)
    throw ctx.error(ErrorKind::InvalidModel, "X {} and grid {} have different batch sizes",
                    to_string(x), to_string(grid));
}

void infer(InferContext& ctx) {
  params_of(ctx);
  const ElementType x_type = ctx.input_type(0), grid_type = ctx.input_type(1);
  if (x_type == ElementType::String || x_type == ElementType::Bool ||
      (x_type == ElementType::BF16 && ctx.opset() < 22))
    throw ctx.error(ErrorKind::InvalidModel, "X must be numeric{}, got {}",
                    ctx.opset() < 22 ? " (bfloat16 from opset 22)" : "", to_string(x_type));
  if (!is_float_at(ctx, grid_type, 22))
    throw ctx.error(ErrorKind::InvalidModel, "grid must be {}, got {}", float_names_at(ctx, 22),
                    to_string(grid_type));
  const PartialShape& x = ctx.input_shape(0);
  const PartialShape& grid = ctx.input_shape(1);
  check_shapes(ctx, x, grid);
  if (!x.rank_known() && !grid.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  std::vector<Dimension> dims(x.rank_known() ? x.rank() : grid.rank());
  if (x.rank_known()) dims[0] = x[0], dims[1] = x[1];
  if (grid.rank_known()) {
    if (!dims[0].is_static()) dims[0] = grid[0];
    for (size_t d = 2; d < dims.size(); ++d) dims[d] = grid[d - 1];
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(dims)));
}

// Maps a normalised coordinate in [-1, 1] to pixel units: corner pixel centres (align_corners)
// or the input's outer edges.
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

void cubic_coefficients(double t, double c[4]) {
  constexpr double a = -0.75;
  const double x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
  c[0] = ((a * x0 - 5 * a) * x0 + 8 * a) * x0 - 4 * a;
  c[1] = ((a + 2) * x1 - (a + 3)) * x1 * x1 + 1;
  c[2] = ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1;
  c[3] = ((a * x3 - 5 * a) * x3 + 8 * a) * x3 - 4 * a;
}

// One spatial axis of the input: its size, stride and the coordinate range counted as inside.
struct Axis {
  int64_t size, stride;
  double lo, hi;
};

// The taps along one axis: element offsets (-1 for a zero-padded tap) and weights.
struct Taps {
  int64_t offset[4];
  double weight[4];
  int count = 0;
};

int64_t tap_offset(const Axis& a, Padding padding, int64_t i) {
  switch (padding) {
    case Padding::Zeros:
      return i >= 0 && i < a.size ? i * a.stride : -1;
    case Padding::Border:
      return std::clamp<int64_t>(i, 0, a.size - 1) * a.stride;
    case Padding::Reflection:
      return std::clamp<int64_t>(int64_t(reflect(double(i), a.lo, a.hi)), 0, a.size - 1) * a.stride;
  }
  return -1;
}

// The taps for pixel coordinate v along axis a, after rounding (nearest) and moving v inside
// the valid range alone, per axis, as ONNX's reference does.
Taps taps_of(const Axis& a, const Params& p, double v) {
  if (p.padding == Padding::Zeros)  // far outside every tap reads zero; keeps the casts defined
    v = std::clamp(v, -double(a.size) - 8.0, double(a.size) + 8.0);
  if (p.mode == Mode::Nearest) v = std::nearbyint(v);  // half to even, as torch
  if (v < a.lo || v > a.hi) {
    if (p.padding == Padding::Border) v = std::clamp(v, 0.0, double(a.size - 1));
    if (p.padding == Padding::Reflection) v = reflect(v, a.lo, a.hi);
  }
  Taps t;
  if (p.mode == Mode::Nearest) {
    t.count = 1;
    t.offset[0] = tap_offset(a, p.padding, int64_t(v));
    t.weight[0] = 1;
    return t;
  }
  const double f = std::floor(v);
  const int64_t i = int64_t(f);
  if (p.mode == Mode::Linear) {
    t.count = 2;
    t.weight[0] = 1 - (v - f), t.weight[1] = v - f;
    for (int k = 0; k < 2; ++k) t.offset[k] = tap_offset(a, p.padding, i + k);
    return t;
  }
  t.count = 4;
  cubic_coefficients(v - f, t.weight);
  for (int k = 0; k < 4; ++k) t.offset[k] = tap_offset(a, p.padding, i - 1 + k);
  return t;
}

// The weighted sum over every combination of one tap per axis (an odometer over the axes).
double interpolate(const double* data, const std::vector<Taps>& taps, std::vector<int>& at) {
  const size_t r = taps.size();
  std::fill(at.begin(), at.end(), 0);
  double sum = 0;
  while (true) {
    double w = 1;
    int64_t offset = 0;
    for (size_t d = 0; d < r && w != 0; ++d) {
      const int64_t o = taps[d].offset[at[d]];
      if (o < 0) w = 0;
      offset += o;
      w *= taps[d].weight[at[d]];
    }
    if (w != 0) sum += w * data[offset];
    size_t d = r;
    while (d-- > 0) {
      if (++at[d] < taps[d].count) break;
      at[d] = 0;
    }
    if (d == size_t(-1)) return sum;
  }
}

void reference(KernelContext& ctx) {
  const Params p = params_of(ctx);
  const Tensor& x_t = ctx.input(0);
  const Tensor& grid_t = ctx.input(1);
  check_shapes(ctx, PartialShape(x_t.shape()), PartialShape(grid_t.shape()));
  const Shape& xs = x_t.shape();
  const size_t r = xs.size() - 2;
  const int64_t n = xs[0], channels = xs[1];
  Tensor& y_t = ctx.output(0);
  if (y_t.size() == 0) return;
  std::vector<Axis> axes(r);
  int64_t spatial = 1;
  for (size_t d = r; d-- > 0;) {
    const int64_t size = xs[d + 2];
    if (size == 0)
      throw ctx.error(ErrorKind::InvalidArgument, "cannot sample an empty input {}", to_string(xs));
    axes[d] = p.align_corners ? Axis{size, spatial, 0.0, double(size - 1)}
                              : Axis{size, spatial, -0.5, double(size) - 0.5};
    spatial *= size;
  }
  int64_t points = 1;
  for (size_t d = 1; d + 1 < grid_t.rank(); ++d) points *= grid_t.shape()[d];
  const std::vector<double> x = x_t.to_double(), grid = grid_t.to_double();
  std::vector<double> y(size_t(y_t.size()));
  std::vector<Taps> taps(r);
  std::vector<int> at(r);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < points; ++i) {
      const double* g = &grid[size_t((b * points + i) * int64_t(r))];
      bool finite = true;
      for (size_t d = 0; d < r; ++d) {
        const double v = g[r - 1 - d];  // the grid lists the innermost axis first
        finite = finite && std::isfinite(v);
        if (finite) taps[d] = taps_of(axes[d], p, denormalize(v, axes[d].size, p.align_corners));
      }
      for (int64_t c = 0; c < channels; ++c)
        y[size_t((b * channels + c) * points + i)] =
            finite ? interpolate(&x[size_t((b * channels + c) * spatial)], taps, at) : 0.0;
    }
  }
  store_doubles(y_t, y);
}

}  // namespace

const OpDef& grid_sample_op() {
  static const OpDef def{
      .name = "GridSample", .versions = {16, 20, 22}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
