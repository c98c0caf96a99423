// NegativeLogLikelihoodLoss: -input[n, target[n, d], d], weighted, ignored or reduced.
#include <vector>

#include "ops/op.h"
#include "ops/reduce/loss.h"

namespace tandem::ops {
namespace {

// Opset 13 only drops the old requirement that weight be given with ignore_index (12 is the same
// computation here); 22 only adds bfloat16.
void infer(InferContext& ctx) { loss::infer_loss(ctx); }

void reference(KernelContext& ctx) {
  const std::vector<double> input = ctx.input(0).to_double();
  loss::negative_log_likelihood(ctx, input);
}

}  // namespace

const OpDef& negative_log_likelihood_loss_op() {
  static const OpDef def{.name = "NegativeLogLikelihoodLoss",
                         .domain = "",
                         .versions = {12, 13, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
