// Placement: which device runs each node, asked of the devices in priority order.
#pragma once

#include <string>
#include <vector>

#include "devices/device.h"
#include "execution/graph_plan.h"

namespace tandem::passes {

struct NodePlacement {
  const execution::Step* step = nullptr;
  int device = 0;      // index into the priority list
  std::string reason;  // why the devices before it declined; empty on the first device
};

/// The device of every step of `plan` (an analysis plan: types inferred, constants folded): the
/// first device in `devices` that supports the node. The last device must support every node
/// (the CPU does); otherwise Unsupported names the nodes nobody runs.
std::vector<NodePlacement> place(const execution::GraphPlan& plan, const std::vector<const devices::Device*>& devices);

}  // namespace tandem::passes
