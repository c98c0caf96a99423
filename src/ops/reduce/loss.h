// What NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss share: shapes, weights, reduction.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ops/infer_context.h"
#include "ops/kernel_context.h"

namespace tandem::ops::loss {

/// Checks the reduction attribute and the input (N, C, d1, ...) against the target (N, d1, ...);
/// sets output 0: the target's shape for reduction "none", a scalar otherwise, of the input's type.
void infer_loss(InferContext& ctx);

/// The loss of log-probabilities `log_prob` (input 0's shape, as doubles) against input 1's
/// targets, with input 2's optional class weights and the ignore_index and reduction attributes;
/// writes output 0. Targets out of [0, C) that are not ignored are an InvalidArgument error.
void negative_log_likelihood(KernelContext& ctx, std::span<const double> log_prob);

/// Writes values into a floating tensor of any float type.
void write_floats(Tensor& out, std::span<const double> values);

}  // namespace tandem::ops::loss
