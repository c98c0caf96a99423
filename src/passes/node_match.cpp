// Node and value tests shared by the fusion passes.
#include "passes/node_match.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace tandem::passes {
namespace {

using ops::Activation;
using ops::ActivationKind;

float float_attribute(const ir::Node& node, const std::string& name, float fallback) {
  const ir::Attribute* a = node.find_attribute(name);
  if (!a) return fallback;
  if (const float* f = std::get_if<float>(a)) return *f;
  if (const int64_t* i = std::get_if<int64_t>(a)) return float(*i);
  return fallback;
}

// A Clip bound from input i (opset 11 on): absent, or a constant f32 scalar.
std::optional<float> clip_bound(const ir::Node& clip, const GraphIndex& index, size_t i,
                                float fallback) {
  if (i >= clip.inputs.size() || clip.inputs[i].empty()) return fallback;
  const Tensor* t = index.constant(clip.inputs[i]);
  if (!t || t->element_type() != ElementType::F32 || t->size() != 1) return std::nullopt;
  return t->data<float>()[0];
}

// Gelu's `approximate` as an activation kind, or nullopt for a value Gelu does not define.
std::optional<Activation> gelu_of(const ir::Node& node) {
  const ir::Attribute* a = node.find_attribute("approximate");
  const std::string* approximate = a ? std::get_if<std::string>(a) : nullptr;
  if (!a || *approximate == "none") return Activation{ActivationKind::Gelu};
  if (*approximate == "tanh") return Activation{ActivationKind::GeluTanh};
  return std::nullopt;
}

}  // namespace

bool is_onnx(const ir::Node& node, std::string_view op) {
  return node.op_type == op && (node.domain.empty() || node.domain == "ai.onnx");
}

size_t count_onnx(const ir::Graph& graph, std::string_view op) {
  return size_t(std::count_if(graph.nodes.begin(), graph.nodes.end(),
                              [&](const ir::Node& node) { return is_onnx(node, op); }));
}

const Tensor* constant_of(const ir::Graph& graph, const GraphIndex& index,
                          const std::string& name) {
  std::string value = name;
  // A chain as long as the graph has nodes cannot be a chain: it would be a cycle.
  for (size_t hops = 0; hops <= graph.nodes.size(); ++hops) {
    if (const Tensor* t = index.constant(value)) return t;
    const int p = index.producer(value);
    if (p < 0) return nullptr;
    const ir::Node& node = graph.nodes[p];
    if (!is_onnx(node, "Identity") || node.inputs.size() != 1) return nullptr;
    value = node.inputs[0];
  }
  return nullptr;
}

std::optional<double> scalar_of(const ir::Graph& graph, const GraphIndex& index,
                                const std::string& name) {
  const Tensor* t = constant_of(graph, index, name);
  if (!t || t->size() != 1) return std::nullopt;
  switch (t->element_type()) {
    case ElementType::F32:
    case ElementType::F64:
    case ElementType::F16:
    case ElementType::BF16:
      return t->to_double()[0];
    default:
      return std::nullopt;
  }
}

bool is_scalar_near(const ir::Graph& graph, const GraphIndex& index, const std::string& name,
                    double want, double tolerance) {
  const std::optional<double> v = scalar_of(graph, index, name);
  return v && std::fabs(*v - want) <= tolerance * std::fabs(want);
}

std::string other_input(const ir::Node& node, const std::string& value) {
  if (node.inputs.size() != 2) return {};
  if (node.inputs[0] == value) return node.inputs[1];
  if (node.inputs[1] == value) return node.inputs[0];
  return {};
}

std::optional<Activation> activation_of(const ir::Node& node, int opset,
                                        const GraphIndex& index) {
  if (node.domain == ops::kTandemDomain && node.op_type == "Gelu") return gelu_of(node);
  if (!node.domain.empty() && node.domain != "ai.onnx") return std::nullopt;
  const std::string& op = node.op_type;
  if (op == "Relu") return Activation{ActivationKind::Relu};
  if (op == "Sigmoid") return Activation{ActivationKind::Sigmoid};
  if (op == "Tanh") return Activation{ActivationKind::Tanh};
  if (op == "HardSwish") return Activation{ActivationKind::HardSwish};
  if (op == "Gelu" && opset >= 20) return gelu_of(node);
  if (op == "LeakyRelu")
    return Activation{ActivationKind::LeakyRelu, float_attribute(node, "alpha", 0.01f)};
  if (op == "Elu") return Activation{ActivationKind::Elu, float_attribute(node, "alpha", 1.0f)};
  if (op == "Swish") return Activation{ActivationKind::Swish, float_attribute(node, "alpha", 1.0f)};
  if (op == "HardSigmoid")
    return Activation{ActivationKind::HardSigmoid, float_attribute(node, "alpha", 0.2f),
                      float_attribute(node, "beta", 0.5f)};
  if (op != "Clip") return std::nullopt;
  if (opset < 11)
    return Activation{ActivationKind::Clip, float_attribute(node, "min", -FLT_MAX),
                      float_attribute(node, "max", FLT_MAX)};
  const auto lo = clip_bound(node, index, 1, -FLT_MAX), hi = clip_bound(node, index, 2, FLT_MAX);
  if (!lo || !hi) return std::nullopt;
  return Activation{ActivationKind::Clip, *lo, *hi};
}

}  // namespace tandem::passes
