// MeanVarianceNormalization: (X - mean) / (stddev + 1e-9) over the given axes.
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

// Opset 9 defined it with axes defaulting to [0, 2, 3] (per channel over N, H, W); 13 only widens
// the types. ONNX's function body adds this epsilon to the standard deviation, not the variance.
constexpr double kEpsilon = 1e-9;

std::vector<bool> reduced_axes(const NodeContext& ctx, size_t rank) {
  std::vector<bool> reduced(rank, false);
  for (int64_t a : ctx.attr<std::vector<int64_t>>("axes", {0, 2, 3}))
    reduced[normalize_axis(ctx, a, rank)] = true;
  return reduced;
}

void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known()) reduced_axes(ctx, x.rank());
  ctx.set_output(0, ctx.input_type(0), x);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  const std::vector<bool> reduced = reduced_axes(ctx, shape.size());
  // Element i belongs to the statistics group group[i]: its index with the reduced axes dropped.
  Shape kept(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) kept[d] = reduced[d] ? 1 : shape[d];
  const std::vector<int64_t> kept_strides = strides_of(kept);
  const int64_t groups = shape_size(kept);
  std::vector<int64_t> group(size_t(x.size()));
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t g = 0;
  for (int64_t i = 0; i < x.size(); ++i) {
    group[i] = g;
    for (size_t d = shape.size(); d-- > 0;) {
      ++idx[d];
      if (!reduced[d]) g += kept_strides[d];
      if (idx[d] < shape[d]) break;
      if (!reduced[d]) g -= kept_strides[d] * idx[d];
      idx[d] = 0;
    }
  }
  const double count = groups == 0 ? 0.0 : double(x.size() / groups);
  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = ctx.output(0).data<T>();
    std::vector<double> mean(groups, 0.0), var(groups, 0.0);
    for (int64_t i = 0; i < x.size(); ++i) mean[group[i]] += double(C(xs[i]));
    for (double& m : mean) m /= count;
    for (int64_t i = 0; i < x.size(); ++i) {
      const double d = double(C(xs[i])) - mean[group[i]];
      var[group[i]] += d * d;
    }
    for (double& v : var) v = std::sqrt(v / count) + kEpsilon;
    for (int64_t i = 0; i < x.size(); ++i)
      ys[i] = T(C((double(C(xs[i])) - mean[group[i]]) / var[group[i]]));
  });
}

}  // namespace

const OpDef& mean_variance_normalization_op() {
  static const OpDef def{.name = "MeanVarianceNormalization",
                         .domain = "",
                         .versions = {9, 13},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
