// Fuses a Conv with the residual Add and the activation after it into one FusedConv node: the
// activation and the sum then happen while the convolution's output is still in cache (oneDNN
// post-ops) instead of in passes of their own over memory.
#include <algorithm>
#include <optional>
#include <vector>

#include "ops/nn/fused_conv.h"
#include "passes/graph_index.h"
#include "passes/node_match.h"
#include "passes/passes.h"
#include "passes/value_types.h"

namespace tandem::passes {
namespace {

using ops::Activation;
using ops::ActivationKind;

// What one FusedConv replaces: the Conv, optionally an Add and its other operand, optionally an
// activation, and the nodes those took.
struct Chain {
  std::vector<int> nodes;
  std::string sum;  // the Add's other operand, "" without one
  Activation activation;
  std::string output;
};

bool same_static_tensor_type(const std::unordered_map<std::string, ValueType>& types,
                             const std::string& a, const std::string& b) {
  auto ta = types.find(a), tb = types.find(b);
  return ta != types.end() && tb != types.end() && ta->second.is_tensor() &&
         tb->second.is_tensor() && ta->second.shape.is_static() &&
         ta->second.element_type == tb->second.element_type && ta->second.shape == tb->second.shape;
}

class ConvFuser {
 public:
  explicit ConvFuser(ir::Model& model)
      : graph_(*model.graph),
        index_(graph_),
        types_(infer_value_types(model, index_)),
        opset_(model.opset("")),
        taken_(graph_.nodes.size()) {}

  // Rewrites the graph; returns whether anything was fused.
  bool run() {
    std::vector<std::optional<ir::Node>> fused(graph_.nodes.size());
    bool any = false;
    for (size_t c = 0; c < graph_.nodes.size(); ++c) {
      const ir::Node& conv = graph_.nodes[c];
      if (!is_onnx(conv, "Conv") || conv.outputs.size() != 1 || conv.inputs.size() < 2) continue;
      const Chain chain = grow(int(c));
      if (chain.nodes.size() == 1) continue;
      for (int n : chain.nodes) taken_[n] = true;
      // Where the node producing the chain's output was: every input is ready by then.
      fused[*std::max_element(chain.nodes.begin(), chain.nodes.end())] = fused_node(conv, chain);
      any = true;
    }
    if (!any) return false;
    std::vector<ir::Node> nodes;
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      if (fused[i])
        nodes.push_back(std::move(*fused[i]));
      else if (!taken_[i])
        nodes.push_back(std::move(graph_.nodes[i]));
    }
    graph_.nodes = std::move(nodes);
    return true;
  }

 private:
  // The node that alone reads `value`, when no earlier chain took it.
  int next(const std::string& value) const {
    const int r = index_.sole_reader(value);
    return r >= 0 && !taken_[r] ? r : -1;
  }

  Chain grow(int c) {
    Chain chain{{c}, "", {}, graph_.nodes[c].outputs[0]};
    // A residual sum of the same shape (a broadcasting Add is left alone: FusedConv adds whole
    // tensors). Before opset 7 Add broadcast differently; those models keep their Add.
    if (int a = next(chain.output); a >= 0 && opset_ >= 7) {
      const ir::Node& add = graph_.nodes[a];
      if (is_onnx(add, "Add") && add.inputs.size() == 2 && add.outputs.size() == 1) {
        const std::string& other = add.inputs[0] == chain.output ? add.inputs[1] : add.inputs[0];
        if (same_static_tensor_type(types_, other, chain.output)) {
          chain.nodes.push_back(a);
          chain.sum = other;
          chain.output = add.outputs[0];
        }
      }
    }
    if (grow_swish(chain)) return chain;
    if (int a = next(chain.output); a >= 0) {
      const ir::Node& node = graph_.nodes[a];
      if (node.outputs.size() == 1 && !node.inputs.empty() && node.inputs[0] == chain.output)
        if (auto activation = conv_activation_of(node)) {
          chain.nodes.push_back(a);
          chain.activation = *activation;
          chain.output = node.outputs[0];
        }
    }
    return chain;
  }

  // y = x * Sigmoid(x): x read by exactly a Sigmoid and the Mul of both.
  bool grow_swish(Chain& chain) {
    const std::vector<int>& readers = index_.readers(chain.output);
    if (readers.size() != 2 || index_.is_observed(chain.output)) return false;
    for (int s : readers) {
      const ir::Node& sigmoid = graph_.nodes[s];
      if (taken_[s] || !is_onnx(sigmoid, "Sigmoid") || sigmoid.outputs.size() != 1) continue;
      const int m = next(sigmoid.outputs[0]);
      const int other = readers[0] == s ? readers[1] : readers[0];
      if (m < 0 || m != other) continue;
      const ir::Node& mul = graph_.nodes[m];
      if (!is_onnx(mul, "Mul") || mul.inputs.size() != 2 || mul.outputs.size() != 1) continue;
      const bool pairs = (mul.inputs[0] == chain.output && mul.inputs[1] == sigmoid.outputs[0]) ||
                         (mul.inputs[1] == chain.output && mul.inputs[0] == sigmoid.outputs[0]);
      if (!pairs) continue;
      chain.nodes.push_back(s);
      chain.nodes.push_back(m);
      chain.activation = Activation{ActivationKind::Swish, 1.0f};
      chain.output = mul.outputs[0];
      return true;
    }
    return false;
  }

  // The activations of node_match.h but Gelu: the oneDNN convolution has no Gelu post-op, and a
  // Conv fused with one would run on the reference kernel.
  std::optional<Activation> conv_activation_of(const ir::Node& node) const {
    std::optional<Activation> activation = activation_of(node, opset_, index_);
    if (activation && (activation->kind == ActivationKind::Gelu ||
                       activation->kind == ActivationKind::GeluTanh))
      return std::nullopt;
    return activation;
  }

  ir::Node fused_node(const ir::Node& conv, const Chain& chain) const {
    ir::Node node{conv.name,   "FusedConv",    std::string(ops::kTandemDomain),
                  conv.inputs, {chain.output}, conv.attributes};
    if (!chain.sum.empty()) {
      node.inputs.resize(ops::kFusedConvSumInput);
      node.inputs.push_back(chain.sum);
    }
    ops::write_activation(chain.activation, node);
    return node;
  }

  ir::Graph& graph_;
  const GraphIndex index_;
  const std::unordered_map<std::string, ValueType> types_;
  const int opset_;
  std::vector<bool> taken_;
};

}  // namespace

void fuse_conv(ir::Model& model) {
  if (!ConvFuser(model).run()) return;
  model.opsets[std::string(ops::kTandemDomain)] = ops::kFusedConvOpset;
}

}  // namespace tandem::passes
