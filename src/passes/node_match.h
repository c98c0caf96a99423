// What the fusion passes ask of single nodes and values while they match a pattern: an op of the
// default domain, a constant (also behind Identity nodes, as exporters share weights), a scalar
// constant near a given number, and the activation a node computes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ir/graph.h"
#include "ops/nn/fused_conv.h"
#include "passes/graph_index.h"

namespace tandem::passes {

/// Whether `node` is the ONNX op `op` (domain "" or "ai.onnx").
bool is_onnx(const ir::Node& node, std::string_view op);
/// How many nodes of `graph`'s own are the ONNX op `op`.
size_t count_onnx(const ir::Graph& graph, std::string_view op);

/// The constant `name` holds: GraphIndex::constant, or that of an Identity chain's source (torch
/// exporters read a weight used twice through Identity nodes). Null when it is not a constant.
const Tensor* constant_of(const ir::Graph& graph, const GraphIndex& index, const std::string& name);

/// The one value of a floating-point constant of one element (any rank), or nullopt.
std::optional<double> scalar_of(const ir::Graph& graph, const GraphIndex& index,
                                const std::string& name);

/// Whether `name` is a floating-point scalar constant within a relative `tolerance` of `want`.
bool is_scalar_near(const ir::Graph& graph, const GraphIndex& index, const std::string& name,
                    double want, double tolerance = 1e-6);

/// For a node of two inputs one of which is `value`: the other one; "" when neither is.
std::string other_input(const ir::Node& node, const std::string& value);

/// The activation `node` computes of its input 0 as a FusedConv or FusedMatMul would apply it, or
/// nullopt when it is none of ops::ActivationKind or its parameters are not constants. Knows the
/// ONNX ops of ActivationKind in a model of default-domain opset `opset` (Clip's bounds are
/// attributes before opset 11, constant inputs after), and Gelu of tandem's domain (what
/// fuse_gelu makes).
std::optional<ops::Activation> activation_of(const ir::Node& node, int opset,
                                             const GraphIndex& index);

}  // namespace tandem::passes
