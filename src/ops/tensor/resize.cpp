// Resize (and the deprecated Upsample): nearest, linear or cubic interpolation of every dim, with
// the coordinate mappings and rounding rules ONNX names.
#include "ops/tensor/tensor_common.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tandem::ops {
namespace {
// What differs between versions:
// - Upsample 1 takes height_scale and width_scale for NCHW input, and calls linear "bilinear".
// - Upsample 7 takes `scales` as an attribute, Upsample 9 and Resize 10 as input 1; all of them
//   map coordinates asymmetrically and round nearest down when enlarging, up when shrinking
//   (as ONNX Runtime does), and know only nearest and linear.
// - Resize 11 has inputs (X, roi, scales, sizes), an empty scales meaning "use sizes", and adds
//   cubic, coordinate_transformation_mode, nearest_mode, cubic_coeff_a, exclude_outside and
//   extrapolation_value. Resize 13 makes roi and scales optional.
// - Resize 18 adds `axes` (scales, sizes and roi then cover only those dims, the others keep
//   their size), `keep_aspect_ratio_policy` (sizes as a bound: one scale for every axis, the
//   output rounded half up) and `antialias` (linear and cubic widen their kernel by 1/scale
//   when shrinking, so every input pixel contributes).
// - Resize 19 adds coordinate_transformation_mode half_pixel_symmetric.
struct Settings {
  std::string mode = "nearest";
  std::string coordinates = "asymmetric";
  std::string nearest = "simple";  // the pre-11 rule
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0;
  bool antialias = false;
  std::string keep_aspect = "stretch";
};

bool is_upsample(const NodeContext& ctx) { return ctx.node().op_type == "Upsample"; }
bool is_modern(const NodeContext& ctx) { return !is_upsample(ctx) && ctx.opset() >= 11; }

Settings settings_of(const NodeContext& ctx) {
  Settings s;
  s.mode = ctx.attr<std::string>("mode", "nearest");
  if (s.mode == "bilinear") s.mode = "linear";  // Upsample's old spelling
  if (s.mode != "nearest" && s.mode != "linear" && (s.mode != "cubic" || !is_modern(ctx)))
    throw ctx.error(ErrorKind::InvalidModel, "unknown mode '{}'", s.mode);
  if (!is_modern(ctx)) return s;
  s.coordinates = ctx.attr<std::string>("coordinate_transformation_mode", "half_pixel");
  static const char* const kCoordinates[] = {
      "half_pixel",           "pytorch_half_pixel", "align_corners",       "asymmetric",
      "tf_half_pixel_for_nn", "tf_crop_and_resize", "half_pixel_symmetric"};
  if (std::find(std::begin(kCoordinates), std::end(kCoordinates), s.coordinates) ==
          std::end(kCoordinates) ||
      (s.coordinates == "half_pixel_symmetric" && ctx.opset() < 19))
    throw ctx.error(ErrorKind::InvalidModel, "unknown coordinate_transformation_mode '{}'", s.coordinates);
  s.nearest = ctx.attr<std::string>("nearest_mode", "round_prefer_floor");
  if (s.nearest != "round_prefer_floor" && s.nearest != "round_prefer_ceil" && s.nearest != "floor" &&
      s.nearest != "ceil")
    throw ctx.error(ErrorKind::InvalidModel, "unknown nearest_mode '{}'", s.nearest);
  s.cubic_a = ctx.attr<float>("cubic_coeff_a", -0.75f);
  s.exclude_outside = ctx.attr<int64_t>("exclude_outside", 0) != 0;
  s.extrapolation = ctx.attr<float>("extrapolation_value", 0.0f);
  if (ctx.opset() < 18) return s;
  s.antialias = ctx.attr<int64_t>("antialias", 0) != 0 && s.mode != "nearest";
  s.keep_aspect = ctx.attr<std::string>("keep_aspect_ratio_policy", "stretch");
  if (s.keep_aspect != "stretch" && s.keep_aspect != "not_larger" && s.keep_aspect != "not_smaller")
    throw ctx.error(ErrorKind::InvalidModel, "unknown keep_aspect_ratio_policy '{}'",
                    s.keep_aspect);
  return s;
}

// Input indices of scales and sizes (sizes absent before opset 11).
size_t scales_input(const NodeContext& ctx) { return is_modern(ctx) ? 2 : 1; }

// The dims that scales, sizes and roi describe, in their order: opset 18's `axes`, else all.
std::vector<size_t> resize_axes(const NodeContext& ctx, size_t rank) {
  std::vector<size_t> axes;
  if (!is_modern(ctx) || ctx.opset() < 18 || !ctx.has_attr("axes")) {
    for (size_t d = 0; d < rank; ++d) axes.push_back(d);
    return axes;
  }
  std::vector<bool> seen(rank, false);
  for (int64_t a : ctx.attr<std::vector<int64_t>>("axes")) {
    const size_t axis = size_t(normalize_axis(ctx, a, rank));
    if (seen[axis]) throw ctx.error(ErrorKind::InvalidModel, "axes repeat axis {}", a);
    seen[axis] = true;
    axes.push_back(axis);
  }
  return axes;
}

// The output shape and per-dim scales, from scales or sizes; nullopt when not known yet.
struct Plan {
  Shape out;
  std::vector<double> scales;
};

template <class GetTensor>
std::optional<Plan> plan_of(const NodeContext& ctx, const Settings& settings, const Shape& in,
                            GetTensor get) {
  const size_t rank = in.size();
  const std::vector<size_t> axes = resize_axes(ctx, rank);
  std::vector<double> scales;
  if (is_upsample(ctx) && ctx.opset() < 7) {
    // Upsample 1 (experimental) scales the two spatial dims of NCHW input.
    if (rank != 4) throw ctx.error(ErrorKind::InvalidModel, "input must be 4-D, got {}", to_string(in));
    scales = {1, 1, ctx.attr<float>("height_scale"), ctx.attr<float>("width_scale")};
  } else if (is_upsample(ctx) && ctx.opset() < 9) {
    for (float s : ctx.attr<std::vector<float>>("scales")) scales.push_back(s);
  } else {
    const size_t si = scales_input(ctx);
    if (ctx.has_input(si)) {
      const Tensor* t = get(si);
      if (!t) return std::nullopt;
      if (t->element_type() != ElementType::F32)
        throw ctx.error(ErrorKind::InvalidModel, "scales must be f32, got {}", describe(*t));
      scales = t->to_double();
    }
  }
  Plan plan;
  if (scales.empty()) {
    if (!is_modern(ctx) || !ctx.has_input(3))
      throw ctx.error(ErrorKind::InvalidModel, "needs scales or sizes");
    const Tensor* t = get(3);
    if (!t) return std::nullopt;
    if (t->element_type() != ElementType::I64)
      throw ctx.error(ErrorKind::InvalidModel, "sizes must be i64, got {}", describe(*t));
    const std::vector<int64_t> sizes = t->to_int64();
    if (sizes.size() != axes.size())
      throw ctx.error(ErrorKind::InvalidModel, "sizes {} do not fit {} axes", to_string(sizes),
                      axes.size());
    plan.out = in;
    for (size_t i = 0; i < axes.size(); ++i) {
      if (sizes[i] < 0)
        throw ctx.error(ErrorKind::InvalidModel, "sizes {} are negative", to_string(sizes));
      plan.out[axes[i]] = sizes[i];
    }
    for (size_t d = 0; d < rank; ++d)
      plan.scales.push_back(in[d] ? double(plan.out[d]) / double(in[d]) : 1.0);
    if (settings.keep_aspect == "stretch") return plan;
    // One scale for every axis, the largest that fits in sizes (not_larger) or the smallest
    // that covers them (not_smaller); the output is that scale times the input, rounded half up.
    double scale = plan.scales[axes[0]];
    for (size_t axis : axes)
      scale = settings.keep_aspect == "not_larger" ? std::min(scale, plan.scales[axis])
                                                   : std::max(scale, plan.scales[axis]);
    for (size_t axis : axes) {
      plan.scales[axis] = scale;
      plan.out[axis] = int64_t(scale * double(in[axis]) + 0.5);
    }
    return plan;
  }
  if (is_modern(ctx) && ctx.has_input(3) && get(3) && get(3)->size() != 0)
    throw ctx.error(ErrorKind::InvalidModel, "takes scales or sizes, not both");
  if (scales.size() != axes.size())
    throw ctx.error(ErrorKind::InvalidModel, "{} scales do not fit {} axes", scales.size(),
                    axes.size());
  std::vector<double> given = std::move(scales);
  scales.assign(rank, 1.0);
  for (size_t i = 0; i < axes.size(); ++i) scales[axes[i]] = given[i];
  for (size_t d = 0; d < rank; ++d) {
    if (!(scales[d] > 0) || !std::isfinite(scales[d]))
      throw ctx.error(ErrorKind::InvalidModel, "scale {} must be positive", scales[d]);
    plan.out.push_back(int64_t(std::floor(double(in[d]) * scales[d])));
  }
  plan.scales = scales;
  return plan;
}

void infer(InferContext& ctx) {
  const Settings s = settings_of(ctx);
  const PartialShape& in = ctx.input_shape(0);
  auto shape = static_shape(in);
  if (!shape) {
    ctx.set_output(0, ctx.input_type(0), in.rank_known() ? PartialShape::of_rank(in.rank()) : PartialShape());
    return;
  }
  auto plan = plan_of(ctx, s, *shape, [&](size_t i) { return ctx.input_tensor(i); });
  ctx.set_output(0, ctx.input_type(0), plan ? PartialShape(plan->out) : PartialShape::of_rank(shape->size()));
}

// Where output coordinate x of an axis reads from, in input coordinates.
double source_coordinate(const Settings& s, double x, double scale, int64_t in, int64_t out, double roi_start,
                         double roi_end) {
  const double out_width = scale * double(in);  // not rounded, as ONNX's reference has it
  const std::string& m = s.coordinates;
  if (m == "asymmetric") return x / scale;
  if (m == "half_pixel") return (x + 0.5) / scale - 0.5;
  if (m == "pytorch_half_pixel") return out_width == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  if (m == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  if (m == "align_corners") return out_width == 1 ? 0 : x * double(in - 1) / (out_width - 1);
  if (m == "half_pixel_symmetric") {
    const double offset = double(in) / 2 * (1 - double(out) / out_width);
    return offset + (x + 0.5) / scale - 0.5;
  }
  // tf_crop_and_resize: roi is the window of the input, in [0, 1] coordinates.
  const double span = (roi_end - roi_start) * double(in - 1);
  return (out_width == 1 ? span / 2 : x * span / (out_width - 1)) + roi_start * double(in - 1);
}

int64_t nearest_index(const Settings& s, double x, double scale) {
  const double f = std::floor(x);
  if (x == f) return int64_t(f);
  const double frac = x - f;
  if (s.nearest == "simple") return int64_t(scale < 1 ? std::ceil(x) : f);
  if (s.nearest == "round_prefer_floor") return int64_t(frac <= 0.5 ? f : f + 1);
  if (s.nearest == "round_prefer_ceil") return int64_t(frac < 0.5 ? f : f + 1);
  if (s.nearest == "floor") return int64_t(f);
  return int64_t(f + 1);
}

// One axis: for each output coordinate, the input indices and weights that make it, or nothing
// when it lies outside the crop window (tf_crop_and_resize gives the extrapolation value there).
// Antialiased linear and cubic taps: the kernel stretched by 1/scale when shrinking, its
// weights normalised to sum to one. The window is the one ONNX's reference takes: n taps
// around x, the left one preferred on a tie.
void antialias_taps(const Settings& s, double x, double scale, int64_t& first,
                    std::vector<double>& weights) {
  const double k = std::min(scale, 1.0);
  const double a = s.cubic_a;
  auto kernel = [&](double d) {
    d = std::abs(d);
    if (s.mode == "linear") return std::clamp(1 - d, 0.0, 1.0);
    if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
    if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
    return 0.0;
  };
  const int64_t start = int64_t(std::floor((s.mode == "linear" ? -1.0 : -2.0) / k)) + 1;
  const int64_t n = 2 - 2 * start;
  const double f = std::floor(x);
  first = x == f ? int64_t(f) - n / 2 : int64_t(f) - n / 2 + 1;
  weights.resize(size_t(n));
  double total = 0;
  for (int64_t i = 0; i < n; ++i) total += weights[size_t(i)] = kernel(k * (double(first + i) - x));
  for (double& w : weights) w /= total;
}

struct Taps {
  std::vector<std::vector<std::pair<int64_t, double>>> taps;
  std::vector<bool> outside;
};

Taps axis_taps(const Settings& s, int64_t in, int64_t out, double scale, double roi_start, double roi_end) {
  Taps t;
  t.taps.resize(size_t(out));
  t.outside.assign(size_t(out), false);
  for (int64_t o = 0; o < out; ++o) {
    const double x = source_coordinate(s, double(o), scale, in, out, roi_start, roi_end);
    auto& taps = t.taps[size_t(o)];
    // A non-finite coordinate (from a NaN roi) reads nothing, like one outside the crop window.
    if (!std::isfinite(x) || (s.coordinates == "tf_crop_and_resize" && (x < 0 || x > double(in - 1)))) {
      t.outside[size_t(o)] = true;
      continue;
    }
    if (s.mode == "nearest") {
      taps.push_back({std::clamp<int64_t>(nearest_index(s, x, scale), 0, in - 1), 1.0});
      continue;
    }
    const double f = std::floor(x), r = x - f;
    const int64_t base = int64_t(f);
    std::vector<double> weights;
    int64_t first = base;
    if (s.antialias) {
      antialias_taps(s, x, scale, first, weights);
    } else if (s.mode == "linear") {
      weights = {1 - r, r};
    } else {
      const double a = s.cubic_a;
      auto far = [&](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };  // 1 < |d| < 2
      auto near = [&](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };       // |d| <= 1
      weights = {far(r + 1), near(r), near(1 - r), far(2 - r)};
      first = base - 1;
    }
    double total = 0;
    for (size_t k = 0; k < weights.size(); ++k) {
      const int64_t i = first + int64_t(k);
      if (s.exclude_outside && (i < 0 || i >= in)) weights[k] = 0;
      total += weights[k];
    }
    for (size_t k = 0; k < weights.size(); ++k) {
      double w = weights[k];
      if (s.exclude_outside && total != 0) w /= total;
      if (w != 0) taps.push_back({std::clamp<int64_t>(first + int64_t(k), 0, in - 1), w});
    }
  }
  return t;
}

template <class T>
T from_double(double v) {
  if constexpr (std::is_integral_v<T>) {
    v = std::nearbyint(v);
    if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return T(v);
  } else {
    return T(compute_t<T>(v));
  }
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Settings s = settings_of(ctx);
  const Plan plan = *plan_of(ctx, s, x.shape(), [&](size_t i) { return &ctx.input(i); });
  const size_t rank = x.rank();
  std::vector<double> roi;
  if (s.coordinates == "tf_crop_and_resize") {
    // roi holds the starts, then the ends, of the resized axes; the other dims keep [0, 1].
    const std::vector<size_t> axes = resize_axes(ctx, rank);
    std::vector<double> given;
    if (ctx.has_input(1)) given = ctx.input(1).to_double();
    if (given.size() != 2 * axes.size())
      throw ctx.error(ErrorKind::InvalidArgument, "roi has {} values, tf_crop_and_resize needs {}",
                      given.size(), 2 * axes.size());
    roi.assign(rank, 0.0);
    roi.resize(2 * rank, 1.0);
    for (size_t i = 0; i < axes.size(); ++i) {
      roi[axes[i]] = given[i];
      roi[rank + axes[i]] = given[axes.size() + i];
    }
  }
  for (size_t d = 0; d < rank; ++d)
    if (x.shape()[d] == 0 && plan.out[d] != 0)
      throw ctx.error(ErrorKind::InvalidArgument, "cannot resize the empty dim {} of {}", d, describe(x));
  Tensor& y = ctx.allocate_output(0, x.element_type(), plan.out);
  if (y.size() == 0) return;
  std::vector<Taps> axes;
  for (size_t d = 0; d < rank; ++d)
    axes.push_back(axis_taps(s, x.shape()[d], plan.out[d], plan.scales[d], roi.empty() ? 0 : roi[d],
                             roi.empty() ? 1 : roi[rank + d]));
  if (s.mode == "nearest") {
    // A gather: exact for every type. Per axis, the source offset of each output coordinate.
    const std::vector<int64_t> strides = strides_of(x.shape());
    std::vector<std::vector<int64_t>> offsets(rank);
    for (size_t d = 0; d < rank; ++d)
      for (size_t o = 0; o < axes[d].taps.size(); ++o)
        offsets[d].push_back(axes[d].outside[o] ? -1 : axes[d].taps[o][0].first * strides[d]);
    visit_numeric(x.element_type(), [&]<class T>() {
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      const T fill = from_double<T>(s.extrapolation);
      std::vector<int64_t> pos(rank, 0);
      for (int64_t n = 0; n < y.size(); ++n) {
        int64_t offset = 0;
        bool outside = false;
        for (size_t d = 0; d < rank; ++d) {
          const int64_t o = offsets[d][size_t(pos[d])];
          outside |= o < 0;
          offset += o;
        }
        dst[n] = outside ? fill : src[offset];
        for (size_t d = rank; d-- > 0;) {
          if (++pos[d] < plan.out[d]) break;
          pos[d] = 0;
        }
      }
    });
    return;
  }
  // Linear and cubic are separable: resize one axis at a time in double precision.
  std::vector<double> current = x.to_double();
  Shape shape = x.shape();
  for (size_t d = 0; d < rank; ++d) {
    const Taps& t = axes[d];
    bool identity = plan.out[d] == shape[d];
    for (size_t o = 0; identity && o < t.taps.size(); ++o)
      identity = !t.outside[o] && t.taps[o].size() == 1 && t.taps[o][0].first == int64_t(o) &&
                 t.taps[o][0].second == 1;
    if (identity) continue;
    int64_t outer = 1, inner = 1;
    for (size_t k = 0; k < d; ++k) outer *= shape[k];
    for (size_t k = d + 1; k < rank; ++k) inner *= shape[k];
    const int64_t in_dim = shape[d], out_dim = plan.out[d];
    std::vector<double> next(size_t(outer * out_dim * inner));
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t o = 0; o < out_dim; ++o) {
        double* dst = &next[size_t((a * out_dim + o) * inner)];
        if (t.outside[size_t(o)]) {
          std::fill_n(dst, inner, s.extrapolation);
          continue;
        }
        for (const auto& [i, w] : t.taps[size_t(o)]) {
          const double* src = &current[size_t((a * in_dim + i) * inner)];
          for (int64_t k = 0; k < inner; ++k) dst[k] += w * src[k];
        }
      }
    current = std::move(next);
    shape[d] = out_dim;
  }
  visit_numeric(x.element_type(), [&]<class T>() {
    T* dst = y.data<T>();
    for (size_t n = 0; n < current.size(); ++n) dst[n] = from_double<T>(current[n]);
  });
}
}  // namespace

const OpDef& resize_op() {
  static const OpDef def{
      .name = "Resize", .versions = {10, 11, 13, 18, 19}, .infer = infer, .reference = reference};
  return def;
}

const OpDef& upsample_op() {
  static const OpDef def{
      .name = "Upsample", .versions = {1, 7, 9, 10}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
