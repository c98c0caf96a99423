// Type inference over the main graph with the ops' own infer functions.
#include "passes/value_types.h"

#include <exception>
#include <vector>

#include "ops/infer_context.h"
#include "ops/registry.h"

namespace tandem::passes {

std::unordered_map<std::string, ValueType> infer_value_types(const ir::Model& model,
                                                             const GraphIndex& index) {
  const ir::Graph& graph = *model.graph;
  std::unordered_map<std::string, ValueType> types;
  for (const auto& [name, tensor] : graph.initializers)
    types[name] = ValueType::tensor(tensor.element_type(), PartialShape(tensor.shape()));
  for (const Port& input : graph.inputs) types[input.name] = input.type;
  for (const ir::Node& node : graph.nodes) {
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    if (!def || !def->infer) continue;
    std::vector<const ValueType*> input_types;
    std::vector<Value> values(node.inputs.size());
    std::vector<const Value*> input_values;
    bool known = true;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const std::string& name = node.inputs[i];
      auto it = types.find(name);
      known = known && (name.empty() || it != types.end());
      input_types.push_back(name.empty() || it == types.end() ? nullptr : &it->second);
      const Tensor* constant = name.empty() ? nullptr : index.constant(name);
      if (constant) values[i] = *constant;
      input_values.push_back(constant ? &values[i] : nullptr);
    }
    if (!known) continue;
    const int opset = model.opset(node.domain == "ai.onnx" ? "" : node.domain);
    ops::InferContext ctx(node, opset, input_types, input_values);
    try {
      def->infer(ctx);
    } catch (const std::exception&) {
      continue;  // left unknown; the compiler's own inference reports real errors
    }
    for (size_t i = 0; i < node.outputs.size() && i < ctx.outputs().size(); ++i)
      if (!node.outputs[i].empty()) types[node.outputs[i]] = ctx.outputs()[i];
  }
  return types;
}

}  // namespace tandem::passes
