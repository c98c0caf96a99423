// The random generators: RandomNormal, RandomNormalLike, RandomUniform, RandomUniformLike
// (opset 1), Multinomial (opset 7) and Bernoulli (opset 15). Opset 22 only added bfloat16 to
// every one of them.
//
// With a `seed` attribute the stream is numpy's RandomState(seed) (MT19937 seeded by
// init_genrand, 53-bit doubles, the polar Gaussian, the inversion binomial), so seeded outputs
// match ONNX's Python reference; every run of a seeded node restarts the stream, so it repeats.
// Without a seed each run draws a fresh seed. ONNX's own tests record draws of the global numpy
// state, which no seeded generator reproduces.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

class NumpyRandom {
 public:
  explicit NumpyRandom(const NodeContext& ctx) : engine_(seed_of(ctx)) {}

  // RandomState.random_sample: 27 + 26 bits of two draws.
  double uniform() {
    const uint32_t a = uint32_t(engine_()) >> 5, b = uint32_t(engine_()) >> 6;
    return (double(a) * 67108864.0 + double(b)) / 9007199254740992.0;
  }

  // RandomState.standard_normal: Marsaglia's polar method, keeping the second value.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * uniform() - 1.0;
      x2 = 2.0 * uniform() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    spare_ = f * x1;
    has_spare_ = true;
    return f * x2;
  }

  // RandomState.binomial(1, p): inversion on min(p, 1 - p); every p draws, even 0.
  int bernoulli(double p) {
    if (p > 0.5) return 1 - inversion(1.0 - p);
    return inversion(p);
  }

 private:
  static uint32_t seed_of(const NodeContext& ctx) {
    if (ctx.has_attr("seed")) {
      // numpy takes seeds in [0, 2^32); others wrap, and non-finite ones count as 0.
      const double seed = std::trunc(double(ctx.attr<float>("seed")));
      return std::isfinite(seed) ? uint32_t(int64_t(std::fmod(seed, 4294967296.0))) : 0u;
    }
    return std::random_device{}();
  }

  int inversion(double p) {
    const double q = 1.0 - p, qn = std::exp(std::log(q));
    const int64_t bound = int64_t(std::min(1.0, p + 10.0 * std::sqrt(p * q + 1)));
    int64_t x = 0;
    double px = qn, u = uniform();
    while (u > px) {
      ++x;
      if (x > bound) {
        x = 0;
        px = qn;
        u = uniform();
      } else {
        u -= px;
        px = (double(1 - x + 1) * p * px) / (double(x) * q);
      }
    }
    return int(x);
  }

  std::mt19937 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// Writes draw() into every element of out, rounded to the element type before the affine map,
// as the reference does (it draws in double, casts, then scales in the output type).
template <class Draw>
void fill(Tensor& out, double scale, double shift, Draw&& draw) {
  visit_float(out.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    for (T& v : out.span<T>()) v = T(C(C(draw()) * C(scale) + C(shift)));
  });
}

Shape shape_attr(const NodeContext& ctx) {
  Shape shape = ctx.attr<std::vector<int64_t>>("shape");
  for (int64_t d : shape)
    if (d < 0)
      throw ctx.error(ErrorKind::InvalidModel, "shape has a negative dimension: {}",
                      to_string(shape));
  return shape;
}

// The output type of the generators: dtype (or `fallback`) must be floating, bfloat16 from 22.
ElementType float_output_type(const InferContext& ctx, ElementType fallback) {
  const ElementType type = dtype_attr(ctx, "dtype", fallback, kFloat);
  if (!is_float_at(ctx, type, 22))
    throw ctx.error(ErrorKind::InvalidModel, "output type {} is not {}; set the dtype attribute",
                    to_string(type), float_names_at(ctx, 22));
  return type;
}

// The *Like ops take the input's type unless dtype says otherwise.
ElementType like_type(const InferContext& ctx) {
  return float_output_type(ctx, ctx.input_type(0));
}

void infer_from_attrs(InferContext& ctx) {
  ctx.set_output(0, float_output_type(ctx, ElementType::F32), PartialShape(shape_attr(ctx)));
}

void infer_like(InferContext& ctx) { ctx.set_output(0, like_type(ctx), ctx.input_shape(0)); }

void normal(KernelContext& ctx) {
  NumpyRandom random(ctx);
  fill(ctx.output(0), ctx.attr<float>("scale", 1.0f), ctx.attr<float>("mean", 0.0f),
       [&] { return random.normal(); });
}

void uniform(KernelContext& ctx) {
  NumpyRandom random(ctx);
  const double low = ctx.attr<float>("low", 0.0f), high = ctx.attr<float>("high", 1.0f);
  fill(ctx.output(0), high - low, low, [&] { return random.uniform(); });
}

// Multinomial: `input` holds unnormalised log-probabilities [batch, classes]; each of the
// sample_size draws per row picks the first class whose cumulative probability exceeds u.
void infer_multinomial(InferContext& ctx) {
  const ElementType type = dtype_attr(ctx, "dtype", ElementType::I32, kSigned);
  if (type != ElementType::I32 && type != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "dtype must be int32 or int64");
  if (!is_float_at(ctx, ctx.input_type(0), 22))
    throw ctx.error(ErrorKind::InvalidModel, "input must be {}, got {}", float_names_at(ctx, 22),
                    to_string(ctx.input_type(0)));
  const int64_t samples = ctx.attr<int64_t>("sample_size", 1);
  if (samples < 0)
    throw ctx.error(ErrorKind::InvalidModel, "sample_size must be >= 0, got {}", samples);
  const PartialShape& in = ctx.input_shape(0);
  if (in.rank_known() && in.rank() != 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must be [batch_size, class_size], got {}",
                    to_string(in));
  ctx.set_output(0, type,
                 PartialShape({in.rank_known() ? in[0] : Dimension(), Dimension(samples)}));
}

void multinomial(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t batch = x.shape()[0], classes = x.shape()[1];
  Tensor& y = ctx.output(0);
  const int64_t samples = y.shape()[1];
  if (classes == 0 && samples > 0)
    throw ctx.error(ErrorKind::InvalidArgument, "cannot sample from zero classes");
  NumpyRandom random(ctx);
  const std::vector<double> logits = x.to_double();
  std::vector<double> draws(size_t(batch * samples));
  std::vector<double> cumulative(static_cast<size_t>(classes));
  for (int64_t b = 0; b < batch; ++b) {
    const double* row = &logits[b * classes];
    const double top = classes ? *std::max_element(row, row + classes) : 0.0;
    double total = 0;
    for (int64_t c = 0; c < classes; ++c) cumulative[c] = total += std::exp(row[c] - top);
    for (int64_t s = 0; s < samples; ++s) {
      const double u = random.uniform() * total;
      const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
      draws[b * samples + s] = double(std::min<int64_t>(it - cumulative.begin(), classes - 1));
    }
  }
  store_doubles(y, draws);
}

// Bernoulli: 1 with probability p, per element; the output type defaults to the input's.
void infer_bernoulli(InferContext& ctx) {
  const ElementType in = ctx.input_type(0);
  if (!is_float_at(ctx, in, 22))
    throw ctx.error(ErrorKind::InvalidModel, "input must be {}, got {}", float_names_at(ctx, 22),
                    to_string(in));
  const ElementType out = dtype_attr(ctx, "dtype", in, kNumeric | kBool);
  if (out == ElementType::BF16 && ctx.opset() < 22)
    throw ctx.error(ErrorKind::InvalidModel, "dtype bfloat16 needs opset 22, the model has {}",
                    ctx.opset());
  ctx.set_output(0, out, ctx.input_shape(0));
}

void bernoulli(KernelContext& ctx) {
  NumpyRandom random(ctx);
  const std::vector<double> p = ctx.input(0).to_double();
  std::vector<double> draws(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= 0.0 && p[i] <= 1.0))
      throw ctx.error(ErrorKind::InvalidArgument, "probability {} at {} is outside [0, 1]", p[i],
                      i);
    draws[i] = random.bernoulli(p[i]);
  }
  store_doubles(ctx.output(0), draws);
}

}  // namespace

const OpDef& random_normal_op() {
  static const OpDef def{
      .name = "RandomNormal", .versions = {1, 22}, .infer = infer_from_attrs, .reference = normal};
  return def;
}

const OpDef& random_normal_like_op() {
  static const OpDef def{
      .name = "RandomNormalLike", .versions = {1, 22}, .infer = infer_like, .reference = normal};
  return def;
}

const OpDef& random_uniform_op() {
  static const OpDef def{
      .name = "RandomUniform", .versions = {1, 22}, .infer = infer_from_attrs, .reference = uniform};
  return def;
}

const OpDef& random_uniform_like_op() {
  static const OpDef def{
      .name = "RandomUniformLike", .versions = {1, 22}, .infer = infer_like, .reference = uniform};
  return def;
}

const OpDef& multinomial_op() {
  static const OpDef def{
      .name = "Multinomial", .versions = {7, 22}, .infer = infer_multinomial, .reference = multinomial};
  return def;
}

const OpDef& bernoulli_op() {
  static const OpDef def{
      .name = "Bernoulli", .versions = {15, 22}, .infer = infer_bernoulli, .reference = bernoulli};
  return def;
}

}  // namespace tandem::ops
