// Removes nodes that pass their input on unchanged: Identity, and Cast to the element type its
// input already has. Models converted from other frameworks hold hundreds of such Casts (a Keras
// model exported through PyTorch: 309 in Open-NSFW's 845 nodes), each a copy of a whole tensor.
#include <string>
#include <unordered_map>
#include <vector>

#include "passes/graph_index.h"
#include "passes/node_match.h"
#include "passes/passes.h"
#include "passes/value_types.h"

namespace tandem::passes {
namespace {

bool passes_input_on(const ir::Node& node, const std::unordered_map<std::string, ValueType>& types) {
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || node.inputs[0].empty()) return false;
  if (is_onnx(node, "Identity")) return true;
  if (!is_onnx(node, "Cast")) return false;
  const ir::Attribute* to = node.find_attribute("to");
  const int64_t* type = to ? std::get_if<int64_t>(to) : nullptr;
  auto input = types.find(node.inputs[0]);
  return type && input != types.end() && input->second.is_tensor() &&
         input->second.element_type == ElementType(*type);
}

}  // namespace

void remove_identities(ir::Model& model) {
  ir::Graph& graph = *model.graph;
  const GraphIndex index(graph);
  const std::unordered_map<std::string, ValueType> types = infer_value_types(model, index);
  // A removed node's output -> the value it passed on (chains resolve to their first input).
  std::unordered_map<std::string, std::string> source;
  std::vector<ir::Node> kept;
  for (ir::Node& node : graph.nodes) {
    // A graph output or a value a subgraph reads keeps its name, and so its node.
    if (!passes_input_on(node, types) || index.is_observed(node.outputs[0])) {
      kept.push_back(std::move(node));
      continue;
    }
    auto it = source.find(node.inputs[0]);
    source[node.outputs[0]] = it == source.end() ? node.inputs[0] : it->second;
  }
  for (ir::Node& node : kept)
    for (std::string& input : node.inputs)
      if (auto it = source.find(input); it != source.end()) input = it->second;
  graph.nodes = std::move(kept);
}

}  // namespace tandem::passes
