// NodeContext: attributes, subgraphs and the error prefix.
#include "ops/node_context.h"

namespace tandem::ops {

const ir::Graph& NodeContext::subgraph(const std::string& name) const {
  const ir::GraphPtr g = attr<ir::GraphPtr>(name);
  if (!g) throw error(ErrorKind::InvalidModel, "attribute '{}' holds no graph", name);
  return *g;
}

std::string NodeContext::prefix() const { return ir::describe_node(node_, opset_) + ": "; }

}  // namespace tandem::ops
