// Partitioning by runs of placement, with each stage's boundary values made explicit.
#include "passes/partition.h"

#include <set>

namespace tandem::passes {
namespace {

void collect_outer_reads(const ir::Graph& graph, std::set<std::string>& reads) {
  std::set<std::string> defined;
  for (const Port& input : graph.inputs) defined.insert(input.name);
  for (const auto& [name, tensor] : graph.initializers) defined.insert(name);
  for (const ir::Node& node : graph.nodes) {
    for (const std::string& name : reads_of(node))
      if (!defined.contains(name)) reads.insert(name);
    defined.insert(node.outputs.begin(), node.outputs.end());
  }
  for (const Port& output : graph.outputs)
    if (!defined.contains(output.name)) reads.insert(output.name);
}

}  // namespace

std::vector<std::string> reads_of(const ir::Node& node) {
  std::vector<std::string> reads;
  for (const std::string& name : node.inputs)
    if (!name.empty()) reads.push_back(name);
  std::set<std::string> outer;
  for (const auto& [key, attribute] : node.attributes) {
    if (const auto* g = std::get_if<ir::GraphPtr>(&attribute))
      if (*g) collect_outer_reads(**g, outer);
    if (const auto* gs = std::get_if<std::vector<ir::GraphPtr>>(&attribute))
      for (const auto& g : *gs)
        if (g) collect_outer_reads(*g, outer);
  }
  reads.insert(reads.end(), outer.begin(), outer.end());
  return reads;
}

std::vector<Stage> partition(const ir::Model& model, const execution::GraphPlan& plan,
                             const std::vector<NodePlacement>& placements) {
  // Runs of one device, and what each run reads from outside itself.
  std::vector<Stage> stages;
  std::vector<std::set<std::string>> produced, external;
  for (const NodePlacement& placed : placements) {
    if (stages.empty() || stages.back().device != placed.device) {
      Stage stage;
      stage.device = placed.device;
      stage.model = std::make_shared<ir::Model>(model);
      stage.model->graph = std::make_shared<ir::Graph>();
      stage.model->graph->name = model.graph->name;
      stages.push_back(std::move(stage));
      produced.emplace_back();
      external.emplace_back();
    }
    const ir::Node& node = *placed.step->node;
    for (const std::string& name : reads_of(node))
      if (!produced.back().contains(name)) external.back().insert(name);
    for (const std::string& name : node.outputs)
      if (!name.empty()) produced.back().insert(name);
    stages.back().model->graph->nodes.push_back(node);
  }

  std::set<std::string> read_later;
  for (const Port& output : model.graph->outputs) read_later.insert(output.name);
  for (size_t s = stages.size(); s-- > 0;) {
    Stage& stage = stages[s];
    ir::Graph& graph = *stage.model->graph;
    for (const std::string& name : produced[s])
      if (read_later.contains(name)) stage.outputs.push_back(name);
    for (const std::string& name : external[s]) {
      read_later.insert(name);
      const int slot = plan.find_slot(name);
      auto constant = plan.constants().find(slot);
      if (constant != plan.constants().end() && constant->second.is_tensor()) {
        graph.initializers.emplace(name, constant->second.tensor());
        continue;
      }
      stage.inputs.push_back(name);
      graph.inputs.push_back(Port{name, slot >= 0 ? plan.slot_type(slot) : ValueType{}});
    }
    for (const std::string& name : stage.outputs)
      graph.outputs.push_back(Port{name, plan.slot_type(plan.find_slot(name))});
    for (const std::string& name : produced[s])
      if (int slot = plan.find_slot(name); slot >= 0) graph.value_types[name] = plan.slot_type(slot);
  }
  return stages;
}

}  // namespace tandem::passes
