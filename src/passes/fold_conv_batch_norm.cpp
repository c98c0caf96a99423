// Folds an inference-mode BatchNormalization into the Conv before it:
//   y = (conv(x, W) + b - mean) * s + beta, s = scale / sqrt(var + epsilon)
//     = conv(x, W * s) + (b - mean) * s + beta,
// one pass over the output instead of two (exporters often fold it already; not all do).
#include <cmath>
#include <vector>

#include "ir/graph.h"
#include "passes/graph_index.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

bool is_onnx(const ir::Node& node, const char* op) {
  return node.op_type == op && (node.domain.empty() || node.domain == "ai.onnx");
}

int64_t int_attribute(const ir::Node& node, const std::string& name, int64_t fallback) {
  const ir::Attribute* a = node.find_attribute(name);
  const int64_t* v = a ? std::get_if<int64_t>(a) : nullptr;
  return v ? *v : fallback;
}

// Normalisation with the stored statistics: not training mode (opset 14), not a test-mode flag
// left off (before opset 7, is_test defaults to training), and per channel (spatial, opsets 7-8).
bool uses_stored_statistics(const ir::Node& bn, int opset) {
  if (opset < 7 && int_attribute(bn, "is_test", 0) == 0) return false;
  return int_attribute(bn, "spatial", 1) == 1 && int_attribute(bn, "training_mode", 0) == 0;
}

// Only output 0 (Y) is read: the others (running statistics) exist in training mode only.
bool only_y_is_read(const ir::Node& bn, const GraphIndex& index) {
  for (size_t i = 1; i < bn.outputs.size(); ++i)
    if (!bn.outputs[i].empty() &&
        (!index.readers(bn.outputs[i]).empty() || index.is_observed(bn.outputs[i])))
      return false;
  return true;
}

const Tensor* f32_constant(const GraphIndex& index, const ir::Node& node, size_t i) {
  if (i >= node.inputs.size() || node.inputs[i].empty()) return nullptr;
  const Tensor* t = index.constant(node.inputs[i]);
  return t && t->element_type() == ElementType::F32 ? t : nullptr;
}

bool is_vector_of(const Tensor* t, int64_t size) { return t && t->shape() == Shape{size}; }

// Folds node `b` (a BatchNormalization) into the Conv producing its input; false where it
// cannot. Only the Conv's inputs and outputs change; the caller removes `b`.
bool fold(ir::Model& model, const GraphIndex& index, int b) {
  ir::Graph& graph = *model.graph;
  const ir::Node& bn = graph.nodes[b];
  if (!is_onnx(bn, "BatchNormalization") || bn.inputs.size() < 5 || bn.outputs.empty() ||
      !uses_stored_statistics(bn, model.opset("")) || !only_y_is_read(bn, index))
    return false;
  const int c = index.producer(bn.inputs[0]);
  if (c < 0 || index.sole_reader(bn.inputs[0]) != b) return false;
  ir::Node& conv = graph.nodes[c];
  if (!is_onnx(conv, "Conv") || conv.outputs.size() != 1) return false;
  const Tensor* w = f32_constant(index, conv, 1);
  if (!w || w->rank() < 3) return false;
  const int64_t m = w->shape()[0];
  const bool has_bias = conv.inputs.size() > 2 && !conv.inputs[2].empty();
  const Tensor* bias = has_bias ? f32_constant(index, conv, 2) : nullptr;
  const Tensor *scale = f32_constant(index, bn, 1), *beta = f32_constant(index, bn, 2),
               *mean = f32_constant(index, bn, 3), *var = f32_constant(index, bn, 4);
  if ((has_bias && !is_vector_of(bias, m)) || !is_vector_of(scale, m) || !is_vector_of(beta, m) ||
      !is_vector_of(mean, m) || !is_vector_of(var, m))
    return false;

  const ir::Attribute* eps_attribute = bn.find_attribute("epsilon");
  const float* eps_value = eps_attribute ? std::get_if<float>(eps_attribute) : nullptr;
  const double epsilon = eps_value ? *eps_value : 1e-5;
  // In double, so that the folded weights round once.
  Tensor folded_w(ElementType::F32, w->shape()), folded_b(ElementType::F32, Shape{m});
  const int64_t per_channel = w->size() / m;
  const float* pw = w->data<float>();
  for (int64_t k = 0; k < m; ++k) {
    const double s =
        double(scale->data<float>()[k]) / std::sqrt(double(var->data<float>()[k]) + epsilon);
    for (int64_t i = 0; i < per_channel; ++i)
      folded_w.data<float>()[k * per_channel + i] = float(pw[k * per_channel + i] * s);
    const double b0 = bias ? double(bias->data<float>()[k]) : 0.0;
    folded_b.data<float>()[k] =
        float((b0 - double(mean->data<float>()[k])) * s + double(beta->data<float>()[k]));
  }
  const std::string w_name = unique_value_name(graph, conv.inputs[1] + "_bn_folded");
  graph.initializers[w_name] = folded_w;
  const std::string b_name = unique_value_name(graph, conv.name + "_bn_folded_bias");
  graph.initializers[b_name] = folded_b;
  conv.inputs.resize(3);
  conv.inputs[1] = w_name;
  conv.inputs[2] = b_name;
  conv.outputs[0] = bn.outputs[0];
  return true;
}

}  // namespace

void fold_conv_batch_norm(ir::Model& model) {
  ir::Graph& graph = *model.graph;
  const GraphIndex index(graph);
  std::vector<bool> folded(graph.nodes.size());
  bool any = false;
  for (size_t b = 0; b < graph.nodes.size(); ++b) any |= folded[b] = fold(model, index, int(b));
  if (!any) return;
  std::vector<ir::Node> kept;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (!folded[i]) kept.push_back(std::move(graph.nodes[i]));
  graph.nodes = std::move(kept);
  drop_unread_initializers(graph);
}

}  // namespace tandem::passes
