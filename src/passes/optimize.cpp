// The pass pipeline: nodes that only pass values on go first, so that the Transposes they hid
// meet, and the Convs that moving those left side by side with their arithmetic take it in.
// BatchNormalization folds into Conv next, so that the Conv it leaves can
// then fuse with its activation; a written-out Gelu becomes one node before the MatMul before it
// looks for its activation.
#include "passes/optimize.h"

#include "passes/passes.h"

#include <set>
#include <unordered_map>
#include <vector>

namespace tandem::passes {

namespace {

std::shared_ptr<ir::Model> copy_of(const ir::Model& model) {
  auto copy = std::make_shared<ir::Model>(model);
  copy->graph = std::make_shared<ir::Graph>(*model.graph);  // Tensor copies share their bytes
  return copy;
}

}  // namespace

std::shared_ptr<const ir::Model> optimize(std::shared_ptr<const ir::Model> model) {
  if (!model || !model->graph) return model;
  auto copy = copy_of(*model);
  remove_identities(*copy);
  sink_transposes(*copy);
  fold_conv_affine(*copy);
  fold_conv_batch_norm(*copy);
  fuse_conv(*copy);
  fuse_layer_norm(*copy);
  fuse_gelu(*copy);
  fuse_matmul(*copy);
  fuse_attention(*copy);
  return copy;
}

std::shared_ptr<const ir::Model> channels_last(std::shared_ptr<const ir::Model> model) {
  if (!model || !model->graph) return model;
  auto copy = copy_of(*model);
  to_channels_last(*copy);
  return copy;
}

// A merged node's outputs are either produced by a node of `after` (the fused node took over the
// value) or read only by other merged nodes: follow them forward until a surviving producer.
std::map<std::string, std::string> absorbed_nodes(const ir::Graph& before, const ir::Graph& after) {
  std::set<std::string> survivors;
  std::unordered_map<std::string, const ir::Node*> kept;    // name -> node of `after`
  std::unordered_map<std::string, std::string> producer;  // value -> node of `after`
  for (const ir::Node& node : after.nodes) {
    survivors.insert(node.name);
    kept[node.name] = &node;
    for (const std::string& output : node.outputs) producer[output] = node.name;
  }
  // A node whose name a fused node took (the Erf a Gelu is named after) is merged too: values
  // pass through it on their way to the fused node's output.
  const auto merged = [&](const ir::Node& node) {
    auto it = kept.find(node.name);
    return it == kept.end() || it->second->op_type != node.op_type ||
           it->second->domain != node.domain;
  };
  std::unordered_map<std::string, std::vector<const ir::Node*>> readers;  // value -> merged readers
  for (const ir::Node& node : before.nodes)
    if (merged(node))
      for (const std::string& input : node.inputs) readers[input].push_back(&node);

  std::map<std::string, std::string> absorbed;
  for (const ir::Node& node : before.nodes) {
    if (survivors.contains(node.name)) continue;
    std::vector<std::string> frontier(node.outputs.begin(), node.outputs.end());
    std::set<std::string> seen;
    while (!frontier.empty() && !absorbed.contains(node.name)) {
      const std::string value = frontier.back();
      frontier.pop_back();
      if (!seen.insert(value).second) continue;
      if (auto it = producer.find(value); it != producer.end()) {
        absorbed[node.name] = it->second;
        break;
      }
      for (const ir::Node* reader : readers[value]) frontier.insert(frontier.end(), reader->outputs.begin(), reader->outputs.end());
    }
  }
  return absorbed;
}

}  // namespace tandem::passes
