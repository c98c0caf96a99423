// SoftmaxCrossEntropyLoss: LogSoftmax over the class axis, then NegativeLogLikelihoodLoss.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/op.h"
#include "ops/reduce/loss.h"

namespace tandem::ops {
namespace {

// Opset 13 adds bfloat16. Output 1, optional, is the log-probabilities, shaped like the scores.
void infer(InferContext& ctx) {
  loss::infer_loss(ctx);
  if (ctx.has_output(1)) ctx.set_output(1, ctx.input_type(0), ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const Tensor& scores = ctx.input(0);
  const Shape& shape = scores.shape();
  std::vector<double> log_prob = scores.to_double();
  if (shape.size() >= 2) {
    const int64_t n = shape[0], c = shape[1];
    const int64_t d = n == 0 || c == 0 ? 0 : scores.size() / (n * c);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t j = 0; j < d; ++j) {
        double* line = log_prob.data() + b * c * d + j;
        double max = line[0];
        for (int64_t k = 1; k < c; ++k) max = std::max(max, line[k * d]);
        double sum = 0;
        for (int64_t k = 0; k < c; ++k) sum += std::exp(line[k * d] - max);
        const double log_sum = std::log(sum) + max;
        for (int64_t k = 0; k < c; ++k) line[k * d] -= log_sum;
      }
  }
  loss::negative_log_likelihood(ctx, log_prob);
  if (ctx.has_output(1)) loss::write_floats(ctx.output(1), log_prob);
}

}  // namespace

const OpDef& softmax_cross_entropy_loss_op() {
  static const OpDef def{.name = "SoftmaxCrossEntropyLoss",
                         .domain = "",
                         .versions = {12, 13},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
