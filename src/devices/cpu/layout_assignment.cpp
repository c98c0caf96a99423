// One pass over the steps in order: a kernel's input layouts are settled (by its producers)
// before it offers its outputs, since taking a blocked input can change the layout a pooling
// computes its output in.
#include "devices/cpu/layout_assignment.h"

#include <algorithm>
#include <variant>
#include <vector>

namespace tandem::cpu {
namespace {

bool has_subgraphs(const ir::Graph& graph) {
  return std::any_of(graph.nodes.begin(), graph.nodes.end(), [](const ir::Node& node) {
    return std::any_of(node.attributes.begin(), node.attributes.end(), [](const auto& attribute) {
      return std::holds_alternative<ir::GraphPtr>(attribute.second) ||
             std::holds_alternative<std::vector<ir::GraphPtr>>(attribute.second);
    });
  });
}

struct Reader {
  LayoutKernel* kernel;  // null where the step has no layout kernel
  size_t input;
};

}  // namespace

size_t assign_layouts(const execution::GraphPlan& plan, const LayoutKernels& kernels) {
  if (has_subgraphs(plan.graph())) return 0;
  const auto kernel_of = [&](const execution::Step& step) -> LayoutKernel* {
    const auto it = kernels.find(step.node);
    return it == kernels.end() ? nullptr : it->second;
  };
  std::vector<std::vector<Reader>> readers(plan.slot_count());
  for (const execution::Step& step : plan.steps())
    for (size_t i = 0; i < step.inputs.size(); ++i)
      if (step.inputs[i] >= 0) readers[step.inputs[i]].push_back({kernel_of(step), i});
  for (int slot : plan.output_slots()) readers[slot].push_back({nullptr, 0});

  size_t blocked = 0;
  for (const execution::Step& step : plan.steps()) {
    LayoutKernel* producer = kernel_of(step);
    if (!producer) continue;
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      const int slot = step.outputs[o];
      if (slot < 0 || readers[slot].empty()) continue;
      const auto layout = producer->output_layout(o);
      if (!layout) continue;
      const auto& reading = readers[slot];
      if (!std::all_of(reading.begin(), reading.end(), [&](const Reader& r) {
            return r.kernel && r.kernel->accepts_input(r.input, *layout);
          }))
        continue;
      producer->give_output(o);
      for (const Reader& r : reading) r.kernel->take_input(r.input, *layout);
      ++blocked;
    }
  }
  return blocked;
}

}  // namespace tandem::cpu
