// Lays a graph's 2-D convolutions and pools out channels-last, for a device whose kernels run
// fastest so (tensor-core convolutions read NHWC; given NCHW, cuDNN transposes around each one).
// Each such node becomes a ChannelsLast node (ops/nn/channels_last.h) between a Transpose of its
// images to NHWC and one of its output back to NCHW; sink_transposes then moves the Transposes
// back past the elementwise ops between two of them (a ReLU, a residual Add) until they meet the
// next one's and both go. What is left is a Transpose where the images enter and one where they
// leave, which the pass keeps only where it lays out at least as many nodes.
#include <algorithm>
#include <string>
#include <vector>

#include "ops/nn/channels_last.h"
#include "ops/nn/fused_conv.h"
#include "ops/tandem_domain.h"
#include "passes/graph_index.h"
#include "passes/node_match.h"
#include "passes/passes.h"
#include "passes/value_types.h"

namespace tandem::passes {
namespace {

bool is_float_image(const std::unordered_map<std::string, ValueType>& types, const std::string& name) {
  const auto it = types.find(name);
  const ElementType type = it == types.end() ? ElementType::Undefined : it->second.element_type;
  return it != types.end() && it->second.is_tensor() &&
         (type == ElementType::F32 || type == ElementType::F16 || type == ElementType::BF16) &&
         it->second.shape.rank_known() && it->second.shape.rank() == 4;
}

// cuDNN pads both ends of a dimension alike: a convolution laid out anew has explicit, equal pads
// (the NCHW kernel copies X into a padded buffer otherwise, which it does channels-first only).
bool symmetric_pads(const ir::Node& conv) {
  const ir::Attribute* auto_pad = conv.find_attribute("auto_pad");
  if (auto_pad) {
    const auto* mode = std::get_if<std::string>(auto_pad);
    if (!mode || (*mode != "NOTSET" && *mode != "VALID")) return false;
  }
  const ir::Attribute* pads = conv.find_attribute("pads");
  if (!pads) return true;
  const auto* p = std::get_if<std::vector<int64_t>>(pads);
  return p && p->size() == 4 && (*p)[0] == (*p)[2] && (*p)[1] == (*p)[3];
}

// The inputs of `node` to lay out NHWC, or none where the node stays as it is.
std::vector<int64_t> images_of(const ir::Graph& graph, const GraphIndex& index, const ir::Node& node,
                               const std::unordered_map<std::string, ValueType>& types) {
  if (node.outputs.size() != 1 || node.inputs.empty() || !is_float_image(types, node.inputs[0])) return {};
  const bool fused = node.op_type == "FusedConv" && node.domain == ops::kTandemDomain;
  if (fused || is_onnx(node, "Conv")) {
    // Constant weights, which a device lays out anew once.
    if (node.inputs.size() < 2 || !constant_of(graph, index, node.inputs[1]) || !symmetric_pads(node)) return {};
    const bool has_sum = fused && node.inputs.size() > ops::kFusedConvSumInput &&
                         !node.inputs[ops::kFusedConvSumInput].empty();
    if (!has_sum) return {0};
    if (!is_float_image(types, node.inputs[ops::kFusedConvSumInput])) return {};
    return {0, int64_t(ops::kFusedConvSumInput)};
  }
  for (std::string_view pool : {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"})
    if (is_onnx(node, pool)) return {0};
  return {};
}

ir::Node transpose(std::string name, std::string input, std::string output, const std::vector<int64_t>& perm) {
  return ir::Node{std::move(name), "Transpose", "", {std::move(input)}, {std::move(output)}, {{"perm", perm}}};
}

}  // namespace

void to_channels_last(ir::Model& model) {
  ir::Graph& graph = *model.graph;
  const ir::Graph original = graph;
  const size_t transposes_before = count_onnx(graph, "Transpose");
  const GraphIndex index(graph);
  const std::unordered_map<std::string, ValueType> types = infer_value_types(model, index);
  NameSource names(graph);
  std::vector<ir::Node> nodes;
  size_t laid_out = 0;
  for (const ir::Node& node : original.nodes) {
    const std::vector<int64_t> images = images_of(original, index, node, types);
    if (images.empty()) {
      nodes.push_back(node);
      continue;
    }
    ir::Node inner = node;
    for (int64_t i : images) {
      const std::string nhwc = names.value(node.inputs[size_t(i)] + "/nhwc");
      nodes.push_back(transpose(names.node(node.name + "/to_nhwc"), node.inputs[size_t(i)], nhwc,
                                ops::kToChannelsLast));
      inner.inputs[size_t(i)] = nhwc;
    }
    const std::string output = node.outputs[0];
    inner.outputs[0] = names.value(output + "/nhwc");
    const int opset = model.opset(node.domain == "ai.onnx" ? "" : node.domain);
    nodes.push_back(ops::wrap_channels_last(inner, opset, images));
    nodes.push_back(transpose(names.node(node.name + "/to_nchw"), inner.outputs[0], output, ops::kToChannelsFirst));
    ++laid_out;
  }
  if (laid_out == 0) return;
  graph.nodes = std::move(nodes);
  model.opsets.emplace(std::string(ops::kTandemDomain), ops::kTandemOpset);
  sink_transposes(model);
  const size_t transposes = count_onnx(graph, "Transpose");
  const size_t added = transposes - std::min(transposes, transposes_before);
  // cuDNN transposes the images in and out of each NCHW convolution in f16 itself: a Transpose
  // per node laid out still costs less (ResNet-50 keeps two for its 55).
  if (added > laid_out) graph = original;
}

}  // namespace tandem::passes
