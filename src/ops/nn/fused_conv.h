// FusedConv, tandem's internal op (domain com.tandem, version 1) that the graph passes make of a
// Conv and the nodes after it: y = activation(Conv(X, W, B) + Sum), one node and one kernel
// instead of a Conv writing a tensor that the next nodes read back.
//
// Inputs X, W, B (optional) as Conv's, then Sum (optional, input 3: a residual of Conv's output
// shape). Attributes: every attribute of Conv, `activation` (absent: none) and its parameters
// `activation_alpha` and `activation_beta` where the activation has any, `activation_approximate`
// for Gelu. FusedMatMul (ops/math/fused_matmul.h) applies its activation the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ops/kernel_context.h"
#include "ops/node_context.h"
#include "ops/tandem_domain.h"

namespace tandem::ops {

inline constexpr int kFusedConvOpset = kTandemOpset;
inline constexpr size_t kFusedConvSumInput = 3;

/// The activations FusedConv and FusedMatMul apply; each is an ONNX op of the default domain (Swish
/// also stands for x * Sigmoid(x)), with its parameters as that op names them. Gelu and GeluTanh
/// are ONNX Gelu with `approximate` "none" and "tanh".
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
  Elu,
  Gelu,
  GeluTanh
};

struct Activation {
  ActivationKind kind = ActivationKind::None;
  // LeakyRelu, Elu, Swish: alpha; HardSigmoid: alpha and beta; Clip: the bounds (alpha <= beta).
  float alpha = 0.0f, beta = 0.0f;
};

/// The ONNX op name of an activation ("Relu", …), "" for None.
std::string_view activation_op(ActivationKind kind);
/// Gelu's `approximate` for Gelu and GeluTanh ("none", "tanh"), "" for the other kinds.
std::string_view activation_approximate(ActivationKind kind);
/// The activation of a FusedConv or FusedMatMul node from its attributes; throws InvalidModel
/// naming the node when `activation` names none of ActivationKind or a parameter is missing.
Activation read_activation(const NodeContext& ctx);
/// The attributes read_activation reads, set on `node` (none for None).
void write_activation(const Activation& activation, ir::Node& node);

/// What the fused ops' reference kernels compose, each step by the reference kernel of the ONNX
/// op it stands for, so that they compute exactly what the unfused nodes did: a + b (numpy
/// broadcasting of b; the result has a's type), and `activation` of y (y itself for None).
Value reference_add(const KernelContext& ctx, const Value& a, const Value& b);
/// The reference kernel of `node`, an ONNX op of the default domain, run on `inputs` at `opset`:
/// its one output, of `type`. For the internal ops whose reference composes ONNX ops'.
Value run_reference(const ir::Node& node, int opset, std::vector<const Value*> inputs, const ValueType& type);
Value reference_activation(const KernelContext& ctx, const Activation& activation, Value y);

}  // namespace tandem::ops
