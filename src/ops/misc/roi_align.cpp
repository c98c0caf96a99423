// RoiAlign (opsets 10, 16, 22): average or max pooling of bilinear samples over a grid in each bin of
// each region of interest. Output [rois, C, output_height, output_width].
//
// Opset 16 added coordinate_transformation_mode, defaulting to 'half_pixel' (ROI corners shifted
// by -0.5); opset 10 behaves as 'output_half_pixel' (no shift, ROIs at least 1x1). Max mode takes
// the largest weighted corner of each sample, as ONNX Runtime and ONNX's reference do. Opset 22
// only added bfloat16.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

constexpr int kX = 0, kRois = 1, kBatchIndices = 2;

struct Params {
  int64_t out_h, out_w, sampling_ratio;
  double spatial_scale;
  bool max_mode, half_pixel;
};

Params params_of(const NodeContext& ctx) {
  Params p;
  p.out_h = ctx.attr<int64_t>("output_height", 1);
  p.out_w = ctx.attr<int64_t>("output_width", 1);
  p.sampling_ratio = ctx.attr<int64_t>("sampling_ratio", 0);
  p.spatial_scale = ctx.attr<float>("spatial_scale", 1.0f);
  const std::string mode = ctx.attr<std::string>("mode", "avg");
  if (mode != "avg" && mode != "max")
    throw ctx.error(ErrorKind::InvalidModel, "mode must be 'avg' or 'max', got '{}'", mode);
  p.max_mode = mode == "max";
  const std::string transform =
      ctx.opset() < 16 ? "output_half_pixel"
                       : ctx.attr<std::string>("coordinate_transformation_mode", "half_pixel");
  if (transform != "half_pixel" && transform != "output_half_pixel")
    throw ctx.error(ErrorKind::InvalidModel,
                    "coordinate_transformation_mode must be 'half_pixel' or 'output_half_pixel', "
                    "got '{}'",
                    transform);
  p.half_pixel = transform == "half_pixel";
  if (p.out_h <= 0 || p.out_w <= 0 || p.sampling_ratio < 0)
    throw ctx.error(ErrorKind::InvalidModel,
                    "output_height and output_width must be > 0 and sampling_ratio >= 0, got {}, "
                    "{}, {}",
                    p.out_h, p.out_w, p.sampling_ratio);
  return p;
}

void infer(InferContext& ctx) {
  const Params p = params_of(ctx);
  const ElementType type = ctx.input_type(kX);
  if (!is_float_at(ctx, type, 22))
    throw ctx.error(ErrorKind::InvalidModel, "X must be {}, got {}", float_names_at(ctx, 22),
                    to_string(type));
  if (ctx.input_type(kRois) != type)
    throw ctx.error(ErrorKind::InvalidModel, "rois must have X's type {}, got {}", to_string(type),
                    to_string(ctx.input_type(kRois)));
  if (ctx.input_type(kBatchIndices) != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "batch_indices must be int64");
  const PartialShape& x = ctx.input_shape(kX);
  const PartialShape& rois = ctx.input_shape(kRois);
  const PartialShape& indices = ctx.input_shape(kBatchIndices);
  if (x.rank_known() && x.rank() != 4)
    throw ctx.error(ErrorKind::InvalidModel, "X must be 4-D [N, C, H, W], got {}", to_string(x));
  if (rois.rank_known() && (rois.rank() != 2 || (rois[1].is_static() && rois[1].value != 4)))
    throw ctx.error(ErrorKind::InvalidModel, "rois must be [num_rois, 4], got {}", to_string(rois));
  if (indices.rank_known() && indices.rank() != 1)
    throw ctx.error(ErrorKind::InvalidModel, "batch_indices must be 1-D, got {}",
                    to_string(indices));
  Dimension n = rois.rank_known() ? rois[0] : Dimension();
  if (!n.is_static() && indices.rank_known()) n = indices[0];
  ctx.set_output(0, type, PartialShape({n, x.rank_known() ? x[1] : Dimension(), p.out_h, p.out_w}));
}

// One sample point: four pixel offsets and their bilinear weights (all zero when outside).
struct Sample {
  int64_t pos[4] = {0, 0, 0, 0};
  double w[4] = {0, 0, 0, 0};
};

Sample sample_at(double y, double x, int64_t height, int64_t width) {
  Sample s;
  if (y < -1.0 || y > double(height) || x < -1.0 || x > double(width)) return s;
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t y_low = int64_t(y), x_low = int64_t(x), y_high, x_high;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = double(y_low);
  } else {
    y_high = y_low + 1;
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = double(x_low);
  } else {
    x_high = x_low + 1;
  }
  const double ly = y - double(y_low), lx = x - double(x_low), hy = 1.0 - ly, hx = 1.0 - lx;
  s.pos[0] = y_low * width + x_low;
  s.pos[1] = y_low * width + x_high;
  s.pos[2] = y_high * width + x_low;
  s.pos[3] = y_high * width + x_high;
  s.w[0] = hy * hx;
  s.w[1] = hy * lx;
  s.w[2] = ly * hx;
  s.w[3] = ly * lx;
  return s;
}

void reference(KernelContext& ctx) {
  const Params p = params_of(ctx);
  const Tensor& x_t = ctx.input(kX);
  const Tensor& rois_t = ctx.input(kRois);
  const Tensor& indices_t = ctx.input(kBatchIndices);
  if (x_t.rank() != 4 || rois_t.rank() != 2 || rois_t.shape()[1] != 4 || indices_t.rank() != 1 ||
      indices_t.shape()[0] != rois_t.shape()[0])
    throw ctx.error(ErrorKind::InvalidArgument,
                    "expected X [N, C, H, W], rois [R, 4] and batch_indices [R], got {}, {}, {}",
                    to_string(x_t.shape()), to_string(rois_t.shape()),
                    to_string(indices_t.shape()));
  const int64_t batch = x_t.shape()[0], channels = x_t.shape()[1];
  const int64_t height = x_t.shape()[2], width = x_t.shape()[3];
  const int64_t num_rois = rois_t.shape()[0];
  if ((height == 0 || width == 0) && num_rois > 0 && channels > 0)
    throw ctx.error(ErrorKind::InvalidArgument, "cannot sample an empty feature map {}",
                    to_string(x_t.shape()));
  const std::vector<double> x = x_t.to_double(), rois = rois_t.to_double();
  const std::vector<int64_t> indices = indices_t.to_int64();
  Tensor& y_t = ctx.output(0);
  std::vector<double> y(size_t(y_t.size()), 0.0);
  const double offset = p.half_pixel ? 0.5 : 0.0;
  std::vector<Sample> samples;
  for (int64_t r = 0; r < num_rois; ++r) {
    const int64_t b = indices[r];
    if (b < 0 || b >= batch)
      throw ctx.error(ErrorKind::InvalidArgument, "batch index {} of roi {} is outside [0, {})", b,
                      r, batch);
    const double* roi = &rois[r * 4];
    const double start_w = roi[0] * p.spatial_scale - offset;
    const double start_h = roi[1] * p.spatial_scale - offset;
    double roi_w = roi[2] * p.spatial_scale - offset - start_w;
    double roi_h = roi[3] * p.spatial_scale - offset - start_h;
    if (!p.half_pixel) {  // malformed ROIs are forced to 1x1
      roi_w = std::max(roi_w, 1.0);
      roi_h = std::max(roi_h, 1.0);
    }
    const double bin_h = roi_h / double(p.out_h), bin_w = roi_w / double(p.out_w);
    if (!std::isfinite(roi_h) || !std::isfinite(roi_w))
      throw ctx.error(ErrorKind::InvalidArgument, "roi {} has non-finite coordinates", r);
    // An inverted ROI (possible with half_pixel) samples nothing and pools to 0.
    auto grid = [&](double extent, int64_t bins) {
      return p.sampling_ratio > 0 ? p.sampling_ratio
                                  : std::max<int64_t>(0, int64_t(std::ceil(extent / double(bins))));
    };
    const int64_t grid_h = grid(roi_h, p.out_h), grid_w = grid(roi_w, p.out_w);
    const double count = double(std::max<int64_t>(grid_h * grid_w, 1));

    // The sample points of every bin, shared by all channels.
    samples.clear();
    for (int64_t ph = 0; ph < p.out_h; ++ph)
      for (int64_t pw = 0; pw < p.out_w; ++pw)
        for (int64_t iy = 0; iy < grid_h; ++iy) {
          const double yy =
              start_h + double(ph) * bin_h + (double(iy) + 0.5) * bin_h / double(grid_h);
          for (int64_t ix = 0; ix < grid_w; ++ix) {
            const double xx =
                start_w + double(pw) * bin_w + (double(ix) + 0.5) * bin_w / double(grid_w);
            samples.push_back(sample_at(yy, xx, height, width));
          }
        }

    const int64_t per_bin = grid_h * grid_w;
    for (int64_t c = 0; c < channels; ++c) {
      const double* plane = &x[(b * channels + c) * height * width];
      double* out = &y[(r * channels + c) * p.out_h * p.out_w];
      for (int64_t bin = 0; bin < p.out_h * p.out_w; ++bin) {
        const Sample* s = &samples[bin * per_bin];
        double value = 0;
        for (int64_t k = 0; k < per_bin; ++k) {
          if (p.max_mode) {
            double v = s[k].w[0] * plane[s[k].pos[0]];
            for (int j = 1; j < 4; ++j) v = std::max(v, s[k].w[j] * plane[s[k].pos[j]]);
            value = k == 0 ? v : std::max(value, v);
          } else {
            for (int j = 0; j < 4; ++j) value += s[k].w[j] * plane[s[k].pos[j]];
          }
        }
        out[bin] = p.max_mode ? value : value / count;
      }
    }
  }
  store_doubles(y_t, y);
}

}  // namespace

const OpDef& roi_align_op() {
  static const OpDef def{
      .name = "RoiAlign", .versions = {10, 16, 22}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
