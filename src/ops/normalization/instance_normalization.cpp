// InstanceNormalization: normalise each (sample, channel) plane, then scale and shift per channel.
#include <cmath>
#include <cstdint>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 1 also had consumed_inputs (legacy, ignored); 6 removed it; 22 only adds bfloat16. The
// math is the same.
void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known() && x.rank() < 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must have rank >= 2, got shape {}",
                    to_string(x));
  ctx.set_output(0, ctx.input_type(0), x);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  if (shape.size() < 2)
    throw ctx.error(ErrorKind::InvalidArgument, "input must have rank >= 2, got shape {}",
                    to_string(shape));
  const int64_t n = shape[0], c = shape[1];
  const int64_t plane = c == 0 || n == 0 ? 0 : x.size() / (n * c);
  const auto scale = ctx.input(1).to_double();
  const auto bias = ctx.input(2).to_double();
  if (int64_t(scale.size()) != c || int64_t(bias.size()) != c)
    throw ctx.error(ErrorKind::InvalidArgument, "scale and B must have {} elements, got {} and {}",
                    c, scale.size(), bias.size());
  const double epsilon = ctx.attr<float>("epsilon", 1e-5f);
  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = ctx.output(0).data<T>();
    for (int64_t i = 0; i < n * c; ++i) {
      const T* xp = xs + i * plane;
      T* yp = ys + i * plane;
      double mean = 0, var = 0;
      for (int64_t k = 0; k < plane; ++k) mean += double(C(xp[k]));
      mean /= double(plane);
      for (int64_t k = 0; k < plane; ++k) {
        const double d = double(C(xp[k])) - mean;
        var += d * d;
      }
      var /= double(plane);
      const double gain = scale[i % c] / std::sqrt(var + epsilon);
      for (int64_t k = 0; k < plane; ++k)
        yp[k] = T(C((double(C(xp[k])) - mean) * gain + bias[i % c]));
    }
  });
}

}  // namespace

const OpDef& instance_normalization_op() {
  static const OpDef def{.name = "InstanceNormalization",
                         .domain = "",
                         .versions = {1, 6, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
