// Node descriptions and attribute kind names.
#include "ir/graph.h"

#include <fmt/format.h>

namespace tandem::ir {

std::string describe_node(const Node& node, int opset) {
  std::string op = node.domain.empty() ? node.op_type : node.domain + "." + node.op_type;
  return fmt::format("node '{}' ({}, opset {})", node.name, op, opset);
}

std::string_view attribute_kind_name(const Attribute& attribute) {
  static constexpr std::string_view kNames[] = {"float",  "int",     "string",  "tensor",
                                                "graph",  "floats",  "ints",    "strings",
                                                "tensors", "graphs", "type"};
  return kNames[attribute.index()];
}

}  // namespace tandem::ir
