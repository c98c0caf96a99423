// Type inference over the main graph with the ops' own infer functions, computing small constants
// on the way as the compiler folds them (execution/graph_plan.cpp): converted models compute a Pad's
// pads or a Reshape's shape from Shape ops, and the values after those get static types only once
// that arithmetic is done.
#include "passes/value_types.h"

#include <exception>
#include <vector>

#include "execution/graph_plan.h"
#include "ops/infer_context.h"
#include "ops/registry.h"

namespace tandem::passes {
namespace {

// The most elements a constant computed here may have: shape arithmetic, not weights.
constexpr int64_t kFoldedElements = 1024;

// Outputs known to be small: a ConstantOfShape or Expand of a small input may be large, and the
// compiler folds those itself; computing them here, once per pass that asks, would cost memory.
bool all_small(const std::vector<ValueType>& types) {
  for (const ValueType& type : types)
    if (!type.is_tensor() || !type.shape.rank_known() || !type.shape.is_static() ||
        shape_size(type.shape.to_shape()) > kFoldedElements)
      return false;
  return true;
}

bool is_small(const Value* value) {
  return value && value->is_tensor() && value->tensor().size() <= kFoldedElements;
}

}  // namespace

std::unordered_map<std::string, ValueType> infer_value_types(const ir::Model& model,
                                                             const GraphIndex& index) {
  const ir::Graph& graph = *model.graph;
  std::unordered_map<std::string, ValueType> types;
  for (const auto& [name, tensor] : graph.initializers)
    types[name] = ValueType::tensor(tensor.element_type(), PartialShape(tensor.shape()));
  for (const Port& input : graph.inputs) types[input.name] = input.type;
  std::unordered_map<std::string, Value> folded;  // small constants computed from others
  for (const ir::Node& node : graph.nodes) {
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    if (!def || !def->infer) continue;
    std::vector<const ValueType*> input_types;
    std::vector<Value> values(node.inputs.size());
    std::vector<const Value*> input_values;
    bool known = true, all_values = true;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const std::string& name = node.inputs[i];
      auto it = types.find(name);
      known = known && (name.empty() || it != types.end());
      input_types.push_back(name.empty() || it == types.end() ? nullptr : &it->second);
      if (const Tensor* constant = name.empty() ? nullptr : index.constant(name))
        values[i] = *constant;
      else if (auto f = folded.find(name); f != folded.end())
        values[i] = f->second;
      input_values.push_back(values[i].is_tensor() ? &values[i] : nullptr);
      all_values = all_values && (name.empty() || is_small(input_values.back()));
    }
    if (!known) continue;
    const int opset = model.opset(node.domain == "ai.onnx" ? "" : node.domain);
    ops::InferContext ctx(node, opset, input_types, input_values);
    try {
      def->infer(ctx);
    } catch (const std::exception&) {
      continue;  // left unknown; the compiler's own inference reports real errors
    }
    const std::vector<ValueType>& output_types = ctx.outputs();
    // Values of small inputs only: a node reading weights is the compiler's to fold.
    if ((all_values || execution::reads_only_shape(node)) && all_small(output_types)) {
      std::optional<std::vector<Value>> results;
      try {
        results = execution::fold_node(node, *def, opset, input_types, input_values, output_types);
      } catch (const std::exception&) {
        // left to run time, as the compiler leaves it
      }
      for (size_t i = 0; results && i < node.outputs.size() && i < results->size(); ++i)
        if (!node.outputs[i].empty() && is_small(&(*results)[i])) folded[node.outputs[i]] = (*results)[i];
    }
    for (size_t i = 0; i < node.outputs.size() && i < output_types.size(); ++i)
      if (!node.outputs[i].empty()) types[node.outputs[i]] = output_types[i];
  }
  return types;
}

}  // namespace tandem::passes
