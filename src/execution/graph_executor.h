// Runs a planned graph on the host, node by node, with reference kernels.
#pragma once

#include <vector>

#include "execution/graph_plan.h"
#include "tandem/infer_request.h"
#include "tandem/value.h"

namespace tandem::execution {

/// The values of one running graph; a running subgraph's frame points at its parent's.
struct Frame {
  const GraphPlan& plan;
  std::vector<Value> slots;
  const Frame* parent = nullptr;

  /// The value of `name` in this frame or an enclosing one; null if none.
  const Value* lookup(const std::string& name) const;
};

/// Runs `plan` on `inputs` (one per graph input, in order) and returns the graph's outputs.
/// Errors name the node that failed; the plan is never modified. With `profile`, appends one
/// record per node run (subgraph nodes are inside their control-flow node's time).
std::vector<Value> execute(const GraphPlan& plan, std::vector<Value> inputs, const Frame* parent = nullptr,
                           std::vector<ProfilingInfo>* profile = nullptr);

/// The type of a runtime value, for inference at run time; `declared` fills in what a value
/// cannot say itself (the element type of an empty optional).
ValueType type_of(const Value& value, const ValueType& declared);

}  // namespace tandem::execution
