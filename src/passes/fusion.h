// The rewrite every fusion pass ends with: sets of nodes, each replaced by one fused node, applied
// to the graph at once so that the node indices a pass matched with stay valid until then.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/graph_index.h"

namespace tandem::passes {

class Fusions {
 public:
  explicit Fusions(ir::Graph& graph)
      : graph_(graph), taken_(graph.nodes.size()), fused_(graph.nodes.size()) {}

  /// Whether an earlier add() took node `n`.
  bool is_taken(int n) const { return taken_[n]; }
  /// The node that alone reads `value` (GraphIndex::sole_reader) when no fusion took it; else -1.
  int sole_free_reader(const GraphIndex& index, const std::string& value) const {
    const int r = index.sole_reader(value);
    return r >= 0 && !taken_[r] ? r : -1;
  }
  /// Replaces `nodes` by `fused` when apply() runs. The fused node goes where the last of them
  /// is: every node of a pattern feeds its output, so that one produces it, and every input of
  /// the pattern is ready by then.
  void add(const std::vector<int>& nodes, ir::Node fused);
  bool empty() const { return count_ == 0; }
  /// Rewrites the graph, once (any GraphIndex of it is stale afterwards); returns whether it
  /// changed.
  bool apply();

 private:
  ir::Graph& graph_;
  std::vector<bool> taken_;
  std::vector<std::optional<ir::Node>> fused_;
  size_t count_ = 0;
};

}  // namespace tandem::passes
