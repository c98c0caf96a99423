// The IR: a graph of nodes over named values, with constant tensors and nested subgraphs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/attribute.h"
#include "tandem/tensor.h"
#include "tandem/value.h"

namespace tandem::ir {

/// Opset version per domain ("" is the default ONNX domain).
using OpsetImports = std::map<std::string, int>;

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;               // "" for the default domain
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs; // "" marks an omitted optional output
  std::map<std::string, Attribute> attributes;

  const Attribute* find_attribute(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? nullptr : &it->second;
  }
};

/// A graph or subgraph. Nodes are in the order the file gives, which ONNX requires to be
/// topological. Subgraphs (If, Loop, Scan bodies) may read values of enclosing graphs by name.
struct Graph {
  std::string name;
  std::vector<Port> inputs;
  std::vector<Port> outputs;
  /// Constant tensors; old models also list some of them among the inputs (as defaults).
  std::unordered_map<std::string, Tensor> initializers;
  /// Declared types of intermediate values (ONNX value_info), where the file gives them.
  std::unordered_map<std::string, ValueType> value_types;
  std::vector<Node> nodes;
};

/// A model: the main graph and the context its ops are read in.
struct Model {
  std::shared_ptr<Graph> graph;
  OpsetImports opsets;
  int64_t ir_version = 0;
  std::string producer;
  std::string path;  // where it was read from, for messages

  int opset(const std::string& domain) const {
    auto it = opsets.find(domain);
    return it == opsets.end() ? 0 : it->second;
  }
};

/// "node 'conv1' (Conv, opset 11)": the prefix of every message about a node.
std::string describe_node(const Node& node, int opset);

}  // namespace tandem::ir
