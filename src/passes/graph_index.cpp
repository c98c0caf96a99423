// GraphIndex: producers, readers and constants of a graph's values.
#include "passes/graph_index.h"

#include <fmt/format.h>

namespace tandem::passes {
namespace {

// Every name a subgraph (and the subgraphs inside it) reads: any of them may be a value of the
// enclosing graph, so none of them may be fused away there.
void collect_subgraph_reads(const ir::Graph& graph, std::set<std::string>& names) {
  for (const Port& output : graph.outputs) names.insert(output.name);
  for (const ir::Node& node : graph.nodes) {
    names.insert(node.inputs.begin(), node.inputs.end());
    for (const auto& [key, attribute] : node.attributes) {
      if (const auto* g = std::get_if<ir::GraphPtr>(&attribute); g && *g)
        collect_subgraph_reads(**g, names);
      if (const auto* gs = std::get_if<std::vector<ir::GraphPtr>>(&attribute))
        for (const ir::GraphPtr& g : *gs)
          if (g) collect_subgraph_reads(*g, names);
    }
  }
}

}  // namespace

GraphIndex::GraphIndex(const ir::Graph& graph) : graph_(graph) {
  for (const Port& input : graph.inputs) inputs_.insert(input.name);
  for (const Port& output : graph.outputs) observed_.insert(output.name);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& node = graph.nodes[i];
    for (const std::string& name : node.outputs)
      if (!name.empty()) producers_[name] = int(i);
    for (const std::string& name : node.inputs)
      if (!name.empty()) readers_[name].push_back(int(i));
    for (const auto& [key, attribute] : node.attributes) {
      if (const auto* g = std::get_if<ir::GraphPtr>(&attribute); g && *g)
        collect_subgraph_reads(**g, observed_);
      if (const auto* gs = std::get_if<std::vector<ir::GraphPtr>>(&attribute))
        for (const ir::GraphPtr& g : *gs)
          if (g) collect_subgraph_reads(*g, observed_);
    }
    if (node.op_type != "Constant" || !node.domain.empty() || node.outputs.size() != 1) continue;
    if (const auto* value = node.find_attribute("value"))
      if (const auto* tensor = std::get_if<Tensor>(value))
        constant_nodes_[node.outputs[0]] = *tensor;
    if (const auto* value = node.find_attribute("value_float"))
      if (const auto* number = std::get_if<float>(value))
        constant_nodes_[node.outputs[0]] = Tensor::scalar(*number);
  }
}

int GraphIndex::producer(const std::string& name) const {
  auto it = producers_.find(name);
  return it == producers_.end() ? -1 : it->second;
}

const std::vector<int>& GraphIndex::readers(const std::string& name) const {
  static const std::vector<int> kNone;
  auto it = readers_.find(name);
  return it == readers_.end() ? kNone : it->second;
}

int GraphIndex::sole_reader(const std::string& name) const {
  const std::vector<int>& r = readers(name);
  return r.size() == 1 && !is_observed(name) ? r[0] : -1;
}

const Tensor* GraphIndex::constant(const std::string& name) const {
  if (auto it = constant_nodes_.find(name); it != constant_nodes_.end()) return &it->second;
  if (inputs_.contains(name)) return nullptr;
  auto it = graph_.initializers.find(name);
  return it == graph_.initializers.end() ? nullptr : &it->second;
}

std::string unique_value_name(const ir::Graph& graph, const std::string& base) {
  return NameSource(graph).value(base);
}

NameSource::NameSource(const ir::Graph& graph) {
  for (const Port& port : graph.inputs) values_.insert(port.name);
  for (const auto& [name, tensor] : graph.initializers) values_.insert(name);
  for (const ir::Node& node : graph.nodes) {
    values_.insert(node.inputs.begin(), node.inputs.end());
    values_.insert(node.outputs.begin(), node.outputs.end());
    nodes_.insert(node.name);
  }
}

std::string NameSource::fresh(std::set<std::string>& taken, const std::string& base) {
  std::string name = base;
  for (int i = 1; taken.contains(name); ++i) name = fmt::format("{}_{}", base, i);
  taken.insert(name);
  return name;
}

void drop_unread_initializers(ir::Graph& graph) {
  const GraphIndex index(graph);
  std::vector<std::string> unread;
  for (const auto& [name, tensor] : graph.initializers)
    if (index.readers(name).empty() && !index.is_observed(name)) unread.push_back(name);
  for (const Port& input : graph.inputs) std::erase(unread, input.name);
  for (const std::string& name : unread) graph.initializers.erase(name);
}

}  // namespace tandem::passes
