// What inference and kernels share about a node: its attributes, opset and error context.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <type_traits>
#include <vector>

#include "ir/graph.h"
#include "tandem/error.h"

namespace tandem::ops {

class NodeContext {
 public:
  NodeContext(const ir::Node& node, int opset) : node_(node), opset_(opset) {}

  const ir::Node& node() const { return node_; }
  /// The model's opset for the node's domain (not the op's since-version).
  int opset() const { return opset_; }

  size_t num_inputs() const { return node_.inputs.size(); }
  /// Present and not omitted with "".
  bool has_input(size_t i) const { return i < node_.inputs.size() && !node_.inputs[i].empty(); }
  size_t num_outputs() const { return node_.outputs.size(); }
  bool has_output(size_t i) const { return i < node_.outputs.size() && !node_.outputs[i].empty(); }

  bool has_attr(const std::string& name) const { return node_.find_attribute(name) != nullptr; }
  /// A required attribute; throws InvalidModel when missing or of another kind. T is one of
  /// float, int64_t, std::string, Tensor, ir::GraphPtr, std::vector<float|int64_t|std::string|
  /// Tensor|ir::GraphPtr>, ValueType. A float attribute may be read from an int one.
  template <class T>
  T attr(const std::string& name) const;
  /// An optional attribute with its default.
  template <class T>
  T attr(const std::string& name, T fallback) const {
    return has_attr(name) ? attr<T>(name) : std::move(fallback);
  }
  /// A subgraph attribute (If branches, Loop and Scan bodies).
  const ir::Graph& subgraph(const std::string& name) const;

  /// An Error whose message starts with "node 'n' (Op, opset k): ".
  template <class... Args>
  Error error(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) const {
    return Error(kind, prefix() + fmt::format(format, std::forward<Args>(args)...));
  }
  std::string prefix() const;

 private:
  const ir::Node& node_;
  int opset_;
};

template <class T>
T NodeContext::attr(const std::string& name) const {
  const ir::Attribute* a = node_.find_attribute(name);
  if (!a) throw error(ErrorKind::InvalidModel, "missing required attribute '{}'", name);
  if (const T* v = std::get_if<T>(a)) return *v;
  if constexpr (std::is_same_v<T, float>)
    if (const int64_t* i = std::get_if<int64_t>(a)) return float(*i);
  if constexpr (std::is_same_v<T, int64_t>)
    if (const float* f = std::get_if<float>(a)) return int64_t(*f);
  if constexpr (std::is_same_v<T, std::vector<float>>)
    if (const auto* i = std::get_if<std::vector<int64_t>>(a)) return {i->begin(), i->end()};
  throw error(ErrorKind::InvalidModel, "attribute '{}' has the wrong kind ({})", name,
              ir::attribute_kind_name(*a));
}

}  // namespace tandem::ops
