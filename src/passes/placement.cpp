// Placement asks each device about each node, in priority order; the first yes wins.
#include "passes/placement.h"

#include <fmt/format.h>

namespace tandem::passes {

std::vector<NodePlacement> place(const execution::GraphPlan& plan, const std::vector<const devices::Device*>& devices) {
  std::vector<NodePlacement> placements;
  std::vector<std::string> homeless;
  for (const execution::Step& step : plan.steps()) {
    execution::NodeInfo info{*step.node, step.opset, {}, {}, step.output_types};
    for (int slot : step.inputs) {
      info.input_types.push_back(slot < 0 ? nullptr : &plan.slot_type(slot));
      auto constant = plan.constants().find(slot);
      info.constants.push_back(constant == plan.constants().end() ? nullptr : &constant->second);
    }
    NodePlacement placement{&step, -1, {}};
    for (size_t d = 0; d < devices.size() && placement.device < 0; ++d) {
      devices::Support answer = devices[d]->supports(info);
      if (answer.ok) {
        placement.device = int(d);
      } else {
        placement.reason += (placement.reason.empty() ? "" : "; ") + answer.reason;
      }
    }
    if (placement.device < 0)
      homeless.push_back(fmt::format("{} ({})", ir::describe_node(*step.node, step.opset), placement.reason));
    placements.push_back(std::move(placement));
  }
  if (!homeless.empty())
    throw Error(ErrorKind::Unsupported,
                fmt::format("no device can run {} node(s): {}", homeless.size(), fmt::join(homeless, "; ")));
  return placements;
}

}  // namespace tandem::passes
