// What NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss share.
#include "ops/reduce/loss.h"

#include <string>

#include "ops/dispatch.h"

namespace tandem::ops::loss {
namespace {

enum class Reduction { None, Sum, Mean };

Reduction reduction_of(const NodeContext& ctx) {
  const std::string r = ctx.attr<std::string>("reduction", "mean");
  if (r == "none") return Reduction::None;
  if (r == "sum") return Reduction::Sum;
  if (r == "mean") return Reduction::Mean;
  throw ctx.error(ErrorKind::InvalidModel, "reduction must be none, sum or mean, got '{}'", r);
}

}  // namespace

void infer_loss(InferContext& ctx) {
  const Reduction reduction = reduction_of(ctx);
  const PartialShape& input = ctx.input_shape(0);
  const PartialShape& target = ctx.input_shape(1);
  if (input.rank_known() && input.rank() < 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must have shape (N, C, ...), got {}",
                    to_string(input));
  if (input.rank_known() && target.rank_known() && target.rank() + 1 != input.rank())
    throw ctx.error(ErrorKind::InvalidModel, "target shape {} does not fit input shape {}",
                    to_string(target), to_string(input));
  ctx.set_output(0, ctx.input_type(0),
                 reduction == Reduction::None ? target : PartialShape(std::vector<int64_t>{}));
}

void negative_log_likelihood(KernelContext& ctx, std::span<const double> log_prob) {
  const Reduction reduction = reduction_of(ctx);
  const Shape& shape = ctx.input(0).shape();
  const Tensor& target_tensor = ctx.input(1);
  const Shape& target_shape = target_tensor.shape();
  bool fits =
      shape.size() >= 2 && target_shape.size() + 1 == shape.size() && target_shape[0] == shape[0];
  for (size_t d = 2; fits && d < shape.size(); ++d) fits = target_shape[d - 1] == shape[d];
  if (!fits)
    throw ctx.error(ErrorKind::InvalidArgument, "target shape {} does not fit input shape {}",
                    to_string(target_shape), to_string(shape));
  const int64_t n = shape[0], c = shape[1];
  const int64_t d = n == 0 || c == 0 ? 0 : shape_size(shape) / (n * c);
  const std::vector<int64_t> target = target_tensor.to_int64();
  std::vector<double> weight;
  if (ctx.has_input(2)) {
    weight = ctx.input(2).to_double();
    if (int64_t(weight.size()) != c)
      throw ctx.error(ErrorKind::InvalidArgument, "weight must have {} elements, got {}", c,
                      weight.size());
  }
  const bool has_ignore = ctx.has_attr("ignore_index");
  const int64_t ignore_index = ctx.attr<int64_t>("ignore_index", 0);

  std::vector<double> losses(size_t(n * d), 0.0);
  double total = 0, total_weight = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t j = 0; j < d; ++j) {
      const int64_t t = target[b * d + j];
      if (has_ignore && t == ignore_index) continue;
      if (t < 0 || t >= c)
        throw ctx.error(ErrorKind::InvalidArgument, "target {} is outside [0, {})", t, c);
      const double w = weight.empty() ? 1.0 : weight[t];
      const double l = -log_prob[(b * c + t) * d + j] * w;
      losses[b * d + j] = l;
      total += l;
      total_weight += w;
    }
  Tensor& out = ctx.output(0);
  if (reduction == Reduction::None) return write_floats(out, losses);
  // The mean divides by the summed weights of the targets not ignored (their count unweighted).
  const double value = reduction == Reduction::Sum ? total : total / total_weight;
  write_floats(out, std::span<const double>(&value, 1));
}

void write_floats(Tensor& out, std::span<const double> values) {
  visit_float(out.element_type(), [&]<class T>() {
    T* o = out.data<T>();
    for (size_t i = 0; i < values.size(); ++i) o[i] = T(compute_t<T>(values[i]));
  });
}

}  // namespace tandem::ops::loss
