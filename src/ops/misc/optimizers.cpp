// The training-preview optimizers (domain ai.onnx.preview.training, version 1): Adagrad, Adam and
// Momentum. Inputs are R (learning rate), T (update count), then one group per state tensor
// (X1..Xn, G1..Gn, ...); outputs are the new states, grouped the same way. Gradient needs
// autodiff and is deliberately not defined, so models using it report it as unsupported.
#include <cmath>
#include <string>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

// groups: how many tensors per variable among the inputs (X, G, and the states) and outputs.
struct Layout {
  int in_groups, out_groups;
};

constexpr Layout kAdagrad{3, 2};   // X G H -> X H
constexpr Layout kAdam{4, 3};      // X G V H -> X V H
constexpr Layout kMomentum{3, 2};  // X G V -> X V

int64_t variable_count(const NodeContext& ctx, Layout l) {
  const int64_t tensors = int64_t(ctx.num_inputs()) - 2;
  if (tensors <= 0 || tensors % l.in_groups != 0)
    throw ctx.error(ErrorKind::InvalidModel,
                    "expected R, T and {} tensors per optimized variable, got {} inputs",
                    l.in_groups, ctx.num_inputs());
  const int64_t n = tensors / l.in_groups;
  if (int64_t(ctx.num_outputs()) != n * l.out_groups)
    throw ctx.error(ErrorKind::InvalidModel, "expected {} outputs for {} variables, got {}",
                    n * l.out_groups, n, ctx.num_outputs());
  return n;
}

bool is_float_or_double(ElementType t) { return t == ElementType::F32 || t == ElementType::F64; }

template <Layout l>
void infer(InferContext& ctx) {
  const int64_t n = variable_count(ctx, l);
  if (!is_float_or_double(ctx.input_type(0)))
    throw ctx.error(ErrorKind::InvalidModel, "R must be float or double, got {}",
                    to_string(ctx.input_type(0)));
  if (ctx.input_type(1) != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "T must be int64, got {}",
                    to_string(ctx.input_type(1)));
  for (int64_t v = 0; v < n; ++v) {
    for (int g = 0; g < l.in_groups; ++g) {
      const size_t i = size_t(2 + g * n + v);
      if (!is_float_or_double(ctx.input_type(i)))
        throw ctx.error(ErrorKind::InvalidModel, "input {} must be float or double, got {}", i,
                        to_string(ctx.input_type(i)));
    }
    // Output group 0 is the new X; the others are the new states, which follow G among inputs.
    ctx.set_output(size_t(v), ctx.input(size_t(2 + v)));
    for (int g = 1; g < l.out_groups; ++g)
      ctx.set_output(size_t(g * n + v), ctx.input(size_t(2 + (g + 1) * n + v)));
  }
}

// Every tensor of a variable's group holds as many values as its X.
std::vector<std::vector<double>> group_values(const KernelContext& ctx, int64_t n, int64_t v,
                                              int groups) {
  std::vector<std::vector<double>> values;
  const Tensor& x = ctx.input(size_t(2 + v));
  for (int g = 0; g < groups; ++g) {
    const Tensor& t = ctx.input(size_t(2 + g * n + v));
    if (t.shape() != x.shape())
      throw ctx.error(ErrorKind::InvalidArgument, "input {} has shape {}, expected X's {}",
                      2 + g * n + v, to_string(t.shape()), to_string(x.shape()));
    values.push_back(t.to_double());
  }
  return values;
}

struct Step {
  double r;
  int64_t t;
};

Step step_of(const KernelContext& ctx) {
  return {scalar_float(ctx, ctx.input(0), "R"), scalar_int(ctx, ctx.input(1), "T")};
}

void adagrad(KernelContext& ctx) {
  const int64_t n = variable_count(ctx, kAdagrad);
  const Step s = step_of(ctx);
  const double norm = ctx.attr<float>("norm_coefficient", 0.0f);
  const double decay = ctx.attr<float>("decay_factor", 0.0f);
  const double epsilon = ctx.attr<float>("epsilon", 1e-6f);
  const double r = s.r / (1.0 + double(s.t) * decay);
  for (int64_t v = 0; v < n; ++v) {
    auto values = group_values(ctx, n, v, kAdagrad.in_groups);
    auto& x = values[0];
    auto& g = values[1];
    auto& h = values[2];
    for (size_t i = 0; i < x.size(); ++i) {
      const double g_reg = norm * x[i] + g[i];
      h[i] += g_reg * g_reg;
      x[i] -= r * g_reg / (std::sqrt(h[i]) + epsilon);
    }
    store_doubles(ctx.output(size_t(v)), x);
    store_doubles(ctx.output(size_t(n + v)), h);
  }
}

void adam(KernelContext& ctx) {
  const int64_t n = variable_count(ctx, kAdam);
  const Step s = step_of(ctx);
  const double norm = ctx.attr<float>("norm_coefficient", 0.0f);
  const double norm_post = ctx.attr<float>("norm_coefficient_post", 0.0f);
  const double alpha = ctx.attr<float>("alpha", 0.9f);
  const double beta = ctx.attr<float>("beta", 0.999f);
  const double epsilon = ctx.attr<float>("epsilon", 1e-6f);
  // Bias correction applies from the second update on (T counts from 0).
  const double r = s.t > 0 ? s.r * std::sqrt(1.0 - std::pow(beta, double(s.t))) /
                                 (1.0 - std::pow(alpha, double(s.t)))
                           : s.r;
  for (int64_t v = 0; v < n; ++v) {
    auto values = group_values(ctx, n, v, kAdam.in_groups);
    auto& x = values[0];
    auto& g = values[1];
    auto& m = values[2];
    auto& h = values[3];
    for (size_t i = 0; i < x.size(); ++i) {
      const double g_reg = norm * x[i] + g[i];
      m[i] = alpha * m[i] + (1.0 - alpha) * g_reg;
      h[i] = beta * h[i] + (1.0 - beta) * g_reg * g_reg;
      x[i] = (1.0 - norm_post) * (x[i] - r * m[i] / (std::sqrt(h[i]) + epsilon));
    }
    store_doubles(ctx.output(size_t(v)), x);
    store_doubles(ctx.output(size_t(n + v)), m);
    store_doubles(ctx.output(size_t(2 * n + v)), h);
  }
}

void momentum(KernelContext& ctx) {
  const int64_t n = variable_count(ctx, kMomentum);
  const Step s = step_of(ctx);
  const double norm = ctx.attr<float>("norm_coefficient");
  const double alpha = ctx.attr<float>("alpha");
  const double beta = ctx.attr<float>("beta");
  const std::string mode = ctx.attr<std::string>("mode");
  if (mode != "standard" && mode != "nesterov")
    throw ctx.error(ErrorKind::InvalidModel, "mode must be 'standard' or 'nesterov', got '{}'",
                    mode);
  const bool nesterov = mode == "nesterov";
  const double beta_adjusted = s.t > 0 ? beta : 1.0;  // the first update takes the whole gradient
  for (int64_t v = 0; v < n; ++v) {
    auto values = group_values(ctx, n, v, kMomentum.in_groups);
    auto& x = values[0];
    auto& g = values[1];
    auto& m = values[2];
    for (size_t i = 0; i < x.size(); ++i) {
      const double g_reg = norm * x[i] + g[i];
      m[i] = alpha * m[i] + beta_adjusted * g_reg;
      x[i] -= s.r * (nesterov ? g_reg + alpha * m[i] : m[i]);
    }
    store_doubles(ctx.output(size_t(v)), x);
    store_doubles(ctx.output(size_t(n + v)), m);
  }
}

}  // namespace

const OpDef& adagrad_op() {
  static const OpDef def{.name = "Adagrad",
                         .domain = kPreviewTrainingDomain,
                         .versions = {1},
                         .infer = infer<kAdagrad>,
                         .reference = adagrad};
  return def;
}

const OpDef& adam_op() {
  static const OpDef def{.name = "Adam",
                         .domain = kPreviewTrainingDomain,
                         .versions = {1},
                         .infer = infer<kAdam>,
                         .reference = adam};
  return def;
}

const OpDef& momentum_op() {
  static const OpDef def{.name = "Momentum",
                         .domain = kPreviewTrainingDomain,
                         .versions = {1},
                         .infer = infer<kMomentum>,
                         .reference = momentum};
  return def;
}

}  // namespace tandem::ops
