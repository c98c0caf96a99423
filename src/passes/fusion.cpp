// Fusions: the graph rewrite shared by the fusion passes.
#include "passes/fusion.h"

#include <algorithm>
#include <utility>

namespace tandem::passes {

void Fusions::add(const std::vector<int>& nodes, ir::Node fused) {
  for (int n : nodes) taken_[n] = true;
  fused_[*std::max_element(nodes.begin(), nodes.end())] = std::move(fused);
  ++count_;
}

bool Fusions::apply() {
  if (count_ == 0) return false;
  std::vector<ir::Node> nodes;
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    if (fused_[i])
      nodes.push_back(std::move(*fused_[i]));
    else if (!taken_[i])
      nodes.push_back(std::move(graph_.nodes[i]));
  }
  graph_.nodes = std::move(nodes);
  count_ = 0;
  return true;
}

}  // namespace tandem::passes
