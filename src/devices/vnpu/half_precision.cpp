// Rewriting a subgraph from f32 to f16 for the VNPU's executable.
#include "devices/vnpu/half_precision.h"

#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace tandem::vnpu {
namespace {

// Inputs ONNX requires in f32 whatever the data's type: quantisation scales (QuantizeLinear also
// reads x in f32 before opset 19, and in the scale's type after, so x goes with its scale), and
// Resize's scales. Keeping them f32 also keeps requantisation exact, as an NPU keeps it in f32 or
// fixed point.
bool reads_f32(const ir::Node& node, size_t input, int opset) {
  if (!node.domain.empty() && node.domain != "ai.onnx") return false;
  const std::string& op = node.op_type;
  if (op == "QuantizeLinear") return input <= 1;
  if (op == "QLinearConv" || op == "QLinearMatMul") return input == 1 || input == 4 || input == 6;
  if (op == "Resize") return input == (opset >= 11 ? 2u : 1u);
  return false;
}

ValueType to_half(ValueType type) {
  if (type.is_tensor() && type.element_type == ElementType::F32)
    type.element_type = ElementType::F16;
  return type;
}

Tensor to_half(const Tensor& tensor) {
  if (tensor.element_type() != ElementType::F32) return tensor;
  Tensor half(ElementType::F16, tensor.shape());
  auto from = tensor.span<const float>();
  auto to = half.span<float16>();
  for (size_t i = 0; i < from.size(); ++i) to[i] = float16(from[i]);
  return half;
}

Tensor half_tensor(const std::vector<float>& values, Shape shape) {
  return to_half(Tensor::from<float>(values, std::move(shape)));
}

void rewrite_attributes(ir::Node& node) {
  constexpr int64_t kF32 = int64_t(ElementType::F32), kF16 = int64_t(ElementType::F16);
  for (auto& [key, attribute] : node.attributes) {
    if (auto* tensor = std::get_if<Tensor>(&attribute)) *tensor = to_half(*tensor);
    if (key != "to" && key != "dtype" && key != "output_dtype") continue;
    if (auto* type = std::get_if<int64_t>(&attribute); type && *type == kF32) *type = kF16;
    // Cast-1 names its type in words.
    if (auto* name = std::get_if<std::string>(&attribute); name && *name == "FLOAT")
      *name = "FLOAT16";
  }
  if (node.op_type != "Constant") return;
  // Constant's float shorthands (opset 12) always mean f32; say the same value as an f16 tensor.
  if (auto it = node.attributes.find("value_float"); it != node.attributes.end()) {
    const float value = std::get<float>(it->second);
    node.attributes.erase(it);
    node.attributes["value"] = half_tensor({value}, Shape{});
  }
  if (auto it = node.attributes.find("value_floats"); it != node.attributes.end()) {
    std::vector<float> values = std::get<std::vector<float>>(it->second);
    node.attributes.erase(it);
    const int64_t count = int64_t(values.size());
    node.attributes["value"] = half_tensor(values, Shape{count});
  }
}

class Rewriter {
 public:
  explicit Rewriter(const ir::Model& source) : source_(source), graph_(*source.graph) {}

  HalfPrecisionModel run() {
    auto model = std::make_shared<ir::Model>(source_);
    auto graph = std::make_shared<ir::Graph>();
    graph->name = graph_.name;
    for (const Port& port : graph_.inputs)
      graph->inputs.push_back(Port{port.name, to_half(port.type)});
    for (const Port& port : graph_.outputs)
      graph->outputs.push_back(Port{port.name, to_half(port.type)});
    for (const auto& [name, type] : graph_.value_types) graph->value_types[name] = to_half(type);
    const std::unordered_set<std::string> kept = initializers_kept_f32();
    for (const auto& [name, tensor] : graph_.initializers)
      graph->initializers[name] = kept.contains(name) ? tensor : to_half(tensor);
    for (const ir::Node& source_node : graph_.nodes) {
      ir::Node node = source_node;
      const int opset = source_.opset(node.domain == "ai.onnx" ? "" : node.domain);
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        const std::string& name = node.inputs[i];
        if (name.empty() || !reads_f32(node, i, opset) || kept.contains(name) || !may_be_f32(name))
          continue;
        node.inputs[i] = f32_copy(name, *graph);
      }
      rewrite_attributes(node);
      graph->nodes.push_back(std::move(node));
    }
    model->graph = std::move(graph);
    return {std::move(model), std::move(added_)};
  }

 private:
  // f32 initializers that only inputs reading f32 use stay as they are.
  std::unordered_set<std::string> initializers_kept_f32() const {
    std::unordered_map<std::string, bool> only_f32_readers;
    for (const auto& [name, tensor] : graph_.initializers)
      if (tensor.element_type() == ElementType::F32) only_f32_readers[name] = true;
    for (const Port& output : graph_.outputs)
      if (auto it = only_f32_readers.find(output.name); it != only_f32_readers.end())
        it->second = false;
    for (const ir::Node& node : graph_.nodes) {
      const int opset = source_.opset(node.domain == "ai.onnx" ? "" : node.domain);
      for (size_t i = 0; i < node.inputs.size(); ++i)
        if (auto it = only_f32_readers.find(node.inputs[i]); it != only_f32_readers.end())
          it->second = it->second && reads_f32(node, i, opset);
    }
    std::unordered_set<std::string> kept;
    for (const auto& [name, only] : only_f32_readers)
      if (only) kept.insert(name);
    return kept;
  }

  // Whether `name` was f32 in the source, as far as its declared type tells (unknown: maybe).
  bool may_be_f32(const std::string& name) const {
    auto is_f32 = [](const ValueType& type) {
      return !type.is_tensor() || type.element_type == ElementType::F32 ||
             type.element_type == ElementType::Undefined;
    };
    if (auto it = graph_.initializers.find(name); it != graph_.initializers.end())
      return it->second.element_type() == ElementType::F32;
    for (const Port& input : graph_.inputs)
      if (input.name == name) return is_f32(input.type);
    if (auto it = graph_.value_types.find(name); it != graph_.value_types.end())
      return is_f32(it->second);
    return true;
  }

  // The name of `name` cast back to f32, adding the Cast before the node being rewritten.
  std::string f32_copy(const std::string& name, ir::Graph& graph) {
    auto [it, added] = f32_copies_.emplace(name, "vnpu_f32/" + name);
    if (!added) return it->second;
    ir::Node cast{"vnpu_f32/" + name, "Cast", "", {name}, {it->second}, {}};
    cast.attributes["to"] = int64_t(ElementType::F32);
    graph.nodes.push_back(std::move(cast));
    added_.insert(it->second);
    return it->second;
  }

  const ir::Model& source_;
  const ir::Graph& graph_;
  std::map<std::string, std::string> f32_copies_;
  std::set<std::string> added_;
};

}  // namespace

HalfPrecisionModel to_half_precision(const ir::Model& source) { return Rewriter(source).run(); }

}  // namespace tandem::vnpu
