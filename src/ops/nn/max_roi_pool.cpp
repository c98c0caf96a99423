// MaxRoiPool: max pooling of each region of interest into a fixed pooled_shape grid (Fast R-CNN).
#include <algorithm>
#include <cmath>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 22 added bfloat16.
std::vector<int64_t> pooled_shape(const NodeContext& ctx) {
  auto pooled = ctx.attr<std::vector<int64_t>>("pooled_shape");
  if (pooled.size() != 2 || pooled[0] <= 0 || pooled[1] <= 0)
    throw ctx.error(ErrorKind::InvalidModel, "pooled_shape must be two positive sizes, got {}",
                    pooled);
  return pooled;
}

void infer(InferContext& ctx) {
  const auto pooled = pooled_shape(ctx);
  const PartialShape& x = ctx.input_shape(0);
  const PartialShape& rois = ctx.input_shape(1);
  if (x.rank_known() && x.rank() != 4)
    throw ctx.error(ErrorKind::InvalidModel, "X must be 4-D, got {}", to_string(x));
  if (rois.rank_known() && (rois.rank() != 2 || (rois[1].is_static() && rois[1].value != 5)))
    throw ctx.error(ErrorKind::InvalidModel, "rois must be [num_rois, 5], got {}", to_string(rois));
  ctx.set_output(0, ctx.input_type(0),
                 PartialShape(std::vector<Dimension>{rois.rank_known() ? rois[0] : Dimension(),
                                                     x.rank_known() ? x[1] : Dimension(),
                                                     Dimension(pooled[0]), Dimension(pooled[1])}));
}

// Region corners are scaled and rounded half away from zero, as Caffe and ONNX Runtime do; bins
// that fall outside the image produce 0.
void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& rois = ctx.input(1);
  if (x.rank() != 4 || rois.rank() != 2 || rois.shape()[1] != 5)
    throw ctx.error(ErrorKind::InvalidModel, "expected X 4-D and rois [num_rois, 5], got {} and {}",
                    to_string(x.shape()), to_string(rois.shape()));
  const auto pooled = pooled_shape(ctx);
  const float scale = ctx.attr<float>("spatial_scale", 1.0f);
  const int64_t batch = x.shape()[0], channels = x.shape()[1], height = x.shape()[2],
                width = x.shape()[3];
  const int64_t ph_count = pooled[0], pw_count = pooled[1];
  const std::vector<double> r = rois.to_double();
  Tensor& y = ctx.output(0);
  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    auto in = x.span<const T>();
    auto out = y.span<T>();
    size_t o = 0;
    for (int64_t n = 0; n < rois.shape()[0]; ++n) {
      const double* roi = r.data() + n * 5;
      const int64_t b = int64_t(roi[0]);
      if (b < 0 || b >= batch)
        throw ctx.error(ErrorKind::InvalidArgument, "roi {} names batch {}, outside [0, {})", n, b,
                        batch);
      const int64_t x1 = std::lround(float(roi[1]) * scale),
                    y1 = std::lround(float(roi[2]) * scale);
      const int64_t x2 = std::lround(float(roi[3]) * scale),
                    y2 = std::lround(float(roi[4]) * scale);
      const int64_t roi_h = std::max<int64_t>(y2 - y1 + 1, 1),
                    roi_w = std::max<int64_t>(x2 - x1 + 1, 1);
      const float bin_h = float(roi_h) / float(ph_count), bin_w = float(roi_w) / float(pw_count);
      for (int64_t c = 0; c < channels; ++c) {
        const T* plane = in.data() + (b * channels + c) * height * width;
        for (int64_t ph = 0; ph < ph_count; ++ph) {
          const int64_t h0 = std::clamp<int64_t>(int64_t(std::floor(ph * bin_h)) + y1, 0, height);
          const int64_t h1 =
              std::clamp<int64_t>(int64_t(std::ceil((ph + 1) * bin_h)) + y1, 0, height);
          for (int64_t pw = 0; pw < pw_count; ++pw, ++o) {
            const int64_t w0 = std::clamp<int64_t>(int64_t(std::floor(pw * bin_w)) + x1, 0, width);
            const int64_t w1 =
                std::clamp<int64_t>(int64_t(std::ceil((pw + 1) * bin_w)) + x1, 0, width);
            if (h1 <= h0 || w1 <= w0) {
              out[o] = T(C(0));
              continue;
            }
            C best = C(plane[h0 * width + w0]);
            for (int64_t h = h0; h < h1; ++h)
              for (int64_t w = w0; w < w1; ++w) best = std::max(best, C(plane[h * width + w]));
            out[o] = T(best);
          }
        }
      }
    }
  });
}

}  // namespace

const OpDef& max_roi_pool_op() {
  static const OpDef def{
      .name = "MaxRoiPool", .domain = "", .versions = {1, 22}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
