// FusedConv, tandem's internal op (domain com.tandem, version 1) that the graph passes make of a
// Conv and the nodes after it: y = activation(Conv(X, W, B) + Sum), one node and one kernel
// instead of a Conv writing a tensor that the next nodes read back.
//
// Inputs X, W, B (optional) as Conv's, then Sum (optional, input 3: a residual of Conv's output
// shape). Attributes: every attribute of Conv, `activation` (absent: none) and its parameters
// `activation_alpha` and `activation_beta` where the activation has any.
#pragma once

#include <string>
#include <string_view>

#include "ops/node_context.h"

namespace tandem::ops {

inline constexpr std::string_view kTandemDomain = "com.tandem";
inline constexpr int kFusedConvOpset = 1;
inline constexpr size_t kFusedConvSumInput = 3;

/// The activations FusedConv applies; each is an ONNX op of the default domain (Swish also
/// stands for x * Sigmoid(x)), with its parameters as that op names them.
enum class ActivationKind {
  None,
  Relu,
  LeakyRelu,
  Clip,
  Sigmoid,
  HardSigmoid,
  HardSwish,
  Swish,
  Tanh,
  Elu
};

struct Activation {
  ActivationKind kind = ActivationKind::None;
  // LeakyRelu, Elu, Swish: alpha; HardSigmoid: alpha and beta; Clip: the bounds (alpha <= beta).
  float alpha = 0.0f, beta = 0.0f;
};

/// The ONNX op name of an activation ("Relu", …), "" for None.
std::string_view activation_op(ActivationKind kind);
/// The activation of a FusedConv node from its attributes; throws InvalidModel naming the node
/// when `activation` names none of ActivationKind or a parameter is missing.
Activation read_activation(const NodeContext& ctx);

}  // namespace tandem::ops
