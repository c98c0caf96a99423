// LRN: local response normalisation across neighbouring channels.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 13 only adds bfloat16. Channel c sums the squares of channels
// [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)], clipped to the tensor.
void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known() && x.rank() < 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must have rank >= 2, got shape {}",
                    to_string(x));
  if (ctx.attr<int64_t>("size") < 1)
    throw ctx.error(ErrorKind::InvalidModel, "size must be positive, got {}",
                    ctx.attr<int64_t>("size"));
  ctx.set_output(0, ctx.input_type(0), x);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  if (shape.size() < 2)
    throw ctx.error(ErrorKind::InvalidArgument, "input must have rank >= 2, got shape {}",
                    to_string(shape));
  const int64_t size = ctx.attr<int64_t>("size");
  const double alpha = ctx.attr<float>("alpha", 1e-4f);
  const double beta = ctx.attr<float>("beta", 0.75f);
  const double bias = ctx.attr<float>("bias", 1.0f);
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  const int64_t n = shape[0], c = shape[1];
  const int64_t plane = n == 0 || c == 0 ? 0 : x.size() / (n * c);
  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = ctx.output(0).data<T>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t k = 0; k < plane; ++k) {
          double square_sum = 0;
          for (int64_t j = std::max<int64_t>(0, ch - before); j <= std::min(c - 1, ch + after);
               ++j) {
            const double v = double(C(xs[(b * c + j) * plane + k]));
            square_sum += v * v;
          }
          const int64_t at = (b * c + ch) * plane + k;
          ys[at] =
              T(C(double(C(xs[at])) / std::pow(bias + alpha / double(size) * square_sum, beta)));
        }
  });
}

}  // namespace

const OpDef& lrn_op() {
  static const OpDef def{
      .name = "LRN", .domain = "", .versions = {1, 13}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
