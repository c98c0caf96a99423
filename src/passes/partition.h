// Partitioning: a placed graph cut into stages, each a model of its own for one device.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "execution/graph_plan.h"
#include "ir/graph.h"
#include "passes/placement.h"

namespace tandem::passes {

/// A maximal run of consecutive nodes placed on one device.
struct Stage {
  int device = 0;                   // index into the priority list placement used
  std::shared_ptr<ir::Model> model;  // its nodes; constant tensors it reads are its initializers
  /// Its model's inputs: values of the model's inputs, of earlier stages, or non-tensor constants.
  std::vector<std::string> inputs;
  /// Values it produces that later stages or the model's outputs read.
  std::vector<std::string> outputs;
};

/// Cuts `plan`'s steps (placed by `placements`, in the same order) into stages. Values a node's
/// subgraphs read from outside count as its inputs.
std::vector<Stage> partition(const ir::Model& model, const execution::GraphPlan& plan,
                             const std::vector<NodePlacement>& placements);

/// Names a node reads: its inputs and, for control flow, what its subgraphs read from outside.
std::vector<std::string> reads_of(const ir::Node& node);

}  // namespace tandem::passes
