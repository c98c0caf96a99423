// InferContext: input types and known values in, output types out.
#include "ops/infer_context.h"

namespace tandem::ops {

InferContext::InferContext(const ir::Node& node, int opset, std::vector<const ValueType*> input_types,
                           std::vector<const Value*> input_values)
    : NodeContext(node, opset),
      input_types_(std::move(input_types)),
      input_values_(std::move(input_values)),
      outputs_(node.outputs.size()) {}

const ValueType& InferContext::input(size_t i) const {
  if (!has_input(i) || i >= input_types_.size() || !input_types_[i])
    throw error(ErrorKind::InvalidModel, "required input {} is missing", i);
  return *input_types_[i];
}

const Value* InferContext::input_value(size_t i) const {
  if (!has_input(i) || i >= input_values_.size()) return nullptr;
  return input_values_[i];
}

const Tensor* InferContext::input_tensor(size_t i) const {
  const Value* v = input_value(i);
  return v && v->is_tensor() ? &v->tensor() : nullptr;
}

void InferContext::set_output(size_t i, ValueType type) {
  if (i >= outputs_.size()) return;  // an optional output the node does not declare
  outputs_[i] = std::move(type);
}

}  // namespace tandem::ops
