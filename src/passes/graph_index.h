// Who produces and who reads each value of a graph, and which values are constants: what the
// fusion passes ask before they merge nodes.
#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace tandem::passes {

class GraphIndex {
 public:
  /// Indexes `graph` as it is now; rewriting its nodes afterwards makes the index stale.
  explicit GraphIndex(const ir::Graph& graph);

  /// The index of the node that produces `name`, or -1 (graph inputs, initializers).
  int producer(const std::string& name) const;
  /// The nodes reading `name`, once per input that names it, in node order.
  const std::vector<int>& readers(const std::string& name) const;
  /// Whether something besides this graph's node inputs sees `name`: a graph output, or a
  /// subgraph (If, Loop, Scan bodies read enclosing values by name).
  bool is_observed(const std::string& name) const { return observed_.contains(name); }
  /// The node reading `name` when it is the one and only reader and nothing else observes it;
  /// -1 otherwise. A value passing that test may disappear into a fused node.
  int sole_reader(const std::string& name) const;
  /// A constant's tensor: an initializer the caller cannot override (not also a graph input) or
  /// the value of a Constant node (`value`, `value_float`); null otherwise.
  const Tensor* constant(const std::string& name) const;

 private:
  const ir::Graph& graph_;
  std::unordered_map<std::string, int> producers_;
  std::unordered_map<std::string, std::vector<int>> readers_;
  std::set<std::string> observed_, inputs_;
  std::map<std::string, Tensor> constant_nodes_;
};

/// `base`, or `base` with the first free suffix "_1", "_2", … : a name no value or initializer
/// of `graph` has yet.
std::string unique_value_name(const ir::Graph& graph, const std::string& base);

/// Fresh names for the values and nodes a pass adds, as unique_value_name gives them, for a pass
/// that adds many: the names in use are collected once, and each name given is taken.
class NameSource {
 public:
  explicit NameSource(const ir::Graph& graph);
  std::string value(const std::string& base) { return fresh(values_, base); }
  std::string node(const std::string& base) { return fresh(nodes_, base); }

 private:
  static std::string fresh(std::set<std::string>& taken, const std::string& base);
  std::set<std::string> values_, nodes_;
};

/// Removes the initializers no node reads any more (the weights a fold replaced), unless a graph
/// input or output or a subgraph names them.
void drop_unread_initializers(ir::Graph& graph);

}  // namespace tandem::passes
