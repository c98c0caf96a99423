// Runs a planned graph on the host, node by node, with reference kernels.
#pragma once

#include <chrono>
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

/// Whether `value` is a tensor of exactly the static type `planned`.
bool is_planned(const Value& value, const ValueType& planned);
/// Rethrows the exception being handled as an Error whose message names `step`'s node.
[[noreturn]] void rethrow_naming(const Step& step);
/// The profile record of `step`, run on the CPU from `start` until now.
ProfilingInfo profile_record(const Step& step, std::chrono::steady_clock::time_point start);

/// The type of a runtime value, for inference at run time; `declared` fills in what a value
/// cannot say itself (the element type of an empty optional).
ValueType type_of(const Value& value, const ValueType& declared);

}  // namespace tandem::execution
