// BatchNormalization: per-channel affine normalisation with given or batch statistics.
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Versions: 1 has consumed_inputs and is_test; 6 drops consumed_inputs; 7 drops is_test (the
// number of outputs picks training); 1-7 have `spatial` (0: scale, B, mean and var are per
// element of one sample, [C, D1, ...]); 9 drops spatial; 14 adds training_mode and outputs only
// Y, running_mean, running_var; 15 lets scale/B and mean/var have their own float types.
bool is_training(const NodeContext& ctx) {
  if (ctx.opset() >= 14) return ctx.attr<int64_t>("training_mode", 0) != 0;
  size_t outputs = 0;
  for (size_t i = 0; i < ctx.num_outputs(); ++i) outputs += ctx.has_output(i);
  if (outputs <= 1) return false;
  return ctx.opset() >= 7 || ctx.attr<int64_t>("is_test", 0) == 0;
}

bool is_spatial(const NodeContext& ctx) {
  return ctx.opset() >= 9 || ctx.attr<int64_t>("spatial", 1) != 0;
}

void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known() && x.rank() < 2)
    throw ctx.error(ErrorKind::InvalidModel, "input X must have rank >= 2, got shape {}",
                    to_string(x));
  ctx.set_output(0, ctx.input_type(0), x);
  // Outputs 1 and 2 are running mean and variance, 3 and 4 (before opset 14) the batch ones;
  // all are shaped like the mean input. Outside training they repeat the given statistics.
  for (size_t i = 1; i < ctx.num_outputs() && i < 5; ++i) {
    if (!ctx.has_output(i)) continue;
    ctx.set_output(i, ctx.input_type(3), ctx.input_shape(3));
  }
}

// Statistics and parameters as doubles, indexed by channel (spatial) or by element of a sample.
struct Params {
  std::vector<double> scale, bias, mean, var;
};

void check_size(const KernelContext& ctx, const Tensor& t, const char* name, int64_t expected) {
  if (t.size() != expected)
    throw ctx.error(ErrorKind::InvalidArgument, "input {} has shape {}, expected {} elements", name,
                    to_string(t.shape()), expected);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  if (shape.size() < 2)
    throw ctx.error(ErrorKind::InvalidArgument, "input X must have rank >= 2, got shape {}",
                    to_string(shape));
  const int64_t n = shape[0], c = shape[1];
  int64_t spatial_size = 1;
  for (size_t d = 2; d < shape.size(); ++d) spatial_size *= shape[d];
  const bool spatial = is_spatial(ctx);
  const int64_t params = spatial ? c : c * spatial_size;
  const int64_t hold = spatial ? spatial_size : 1;

  Params p{ctx.input(1).to_double(), ctx.input(2).to_double(), ctx.input(3).to_double(),
           ctx.input(4).to_double()};
  check_size(ctx, ctx.input(1), "scale", params);
  check_size(ctx, ctx.input(2), "B", params);
  check_size(ctx, ctx.input(3), "mean", params);
  check_size(ctx, ctx.input(4), "var", params);
  const double epsilon = ctx.attr<float>("epsilon", 1e-5f);
  const double momentum = ctx.attr<float>("momentum", 0.9f);
  const bool training = is_training(ctx);

  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    // Element (b, i, h) of x, i < params and h < hold, uses parameter i.
    auto for_each = [&](auto&& f) {
      for (int64_t b = 0; b < n; ++b)
        for (int64_t i = 0; i < params; ++i) {
          const int64_t base = (b * params + i) * hold;
          for (int64_t h = 0; h < hold; ++h) f(i, base + h);
        }
    };
    std::vector<double> batch_mean(params, 0.0), batch_var(params, 0.0);
    if (training) {
      const double count = double(n * hold);
      for_each([&](int64_t i, int64_t at) { batch_mean[i] += double(C(xs[at])); });
      for (double& m : batch_mean) m /= count;
      for_each([&](int64_t i, int64_t at) {
        const double d = double(C(xs[at])) - batch_mean[i];
        batch_var[i] += d * d;
      });
      for (double& v : batch_var) v /= count;
    }
    const std::vector<double>& mean = training ? batch_mean : p.mean;
    const std::vector<double>& var = training ? batch_var : p.var;
    std::vector<double> gain(params), shift(params);
    for (int64_t i = 0; i < params; ++i) {
      gain[i] = p.scale[i] / std::sqrt(var[i] + epsilon);
      shift[i] = p.bias[i] - mean[i] * gain[i];
    }
    T* ys = ctx.output(0).data<T>();
    for_each([&](int64_t i, int64_t at) { ys[at] = T(C(double(C(xs[at])) * gain[i] + shift[i])); });
    // Running statistics, then (before opset 14) the batch ones, in the mean input's type.
    auto write = [&](size_t i, auto&& value) {
      if (!ctx.has_output(i)) return;
      Tensor& out = ctx.output(i);
      visit_float(out.element_type(), [&]<class U>() {
        U* o = out.data<U>();
        for (int64_t k = 0; k < params; ++k) o[k] = U(compute_t<U>(value(k)));
      });
    };
    const double keep = training ? momentum : 1.0;
    write(1, [&](int64_t k) { return p.mean[k] * keep + mean[k] * (1 - keep); });
    write(2, [&](int64_t k) { return p.var[k] * keep + var[k] * (1 - keep); });
    write(3, [&](int64_t k) { return mean[k]; });
    write(4, [&](int64_t k) { return var[k]; });
  });
}

}  // namespace

const OpDef& batch_normalization_op() {
  static const OpDef def{.name = "BatchNormalization",
                         .domain = "",
                         .versions = {1, 6, 7, 9, 14, 15},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
