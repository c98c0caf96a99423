// FusedMatMul, tandem's internal op (domain com.tandem, version 1) that the graph passes make of a
// MatMul with constant weights and the bias Add and activation after it (a linear layer):
// Y = activation(MatMul(A, B) + Bias), one node and one kernel instead of three passes over Y.
//
// Inputs A and B as MatMul's, then Bias (optional, input 2): 1-D, one value per column of Y.
// Attributes: `activation` (absent: none) and its parameters as FusedConv's (ops/nn/fused_conv.h).
#pragma once

#include <cstddef>

namespace tandem::ops {

inline constexpr size_t kFusedMatMulBiasInput = 2;

}  // namespace tandem::ops
