// The types of a graph's values as far as they follow from its inputs and constants, for passes
// whose rewrites depend on shapes (a residual Add fuses only where it does not broadcast).
#pragma once

#include <string>
#include <unordered_map>

#include "ir/graph.h"
#include "passes/graph_index.h"
#include "tandem/value.h"

namespace tandem::passes {

/// Every value of `model`'s main graph with the type its op's inference gives it; values whose
/// inference fails (a subgraph op, an input of unknown type) are absent, and so are those after
/// them that depend on them. Never throws for a malformed node: compiling reports those.
std::unordered_map<std::string, ValueType> infer_value_types(const ir::Model& model,
                                                             const GraphIndex& index);

}  // namespace tandem::passes
