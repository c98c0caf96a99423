// KernelContext: inputs, lazily allocated outputs and subgraph calls.
#include "ops/kernel_context.h"

namespace tandem::ops {

KernelContext::KernelContext(const ir::Node& node, int opset, std::vector<const Value*> inputs,
                             const std::vector<ValueType>& output_types, SubgraphRunner* subgraphs)
    : NodeContext(node, opset),
      inputs_(std::move(inputs)),
      output_types_(output_types),
      outputs_(node.outputs.size()),
      subgraphs_(subgraphs) {}

const Value& KernelContext::value(size_t i) const {
  if (!has_input(i) || i >= inputs_.size() || !inputs_[i])
    throw error(ErrorKind::InvalidModel, "required input {} is missing", i);
  return *inputs_[i];
}

const Tensor& KernelContext::input(size_t i) const {
  const Value& v = value(i);
  if (!v.is_tensor()) throw error(ErrorKind::InvalidArgument, "input {} must be a tensor", i);
  return v.tensor();
}

Tensor& KernelContext::output(size_t i) {
  if (i >= outputs_.size()) throw error(ErrorKind::Runtime, "output {} is not declared", i);
  if (outputs_[i].is_tensor()) return outputs_[i].tensor();
  const ValueType& type = output_types_.at(i);
  if (!type.is_tensor() || !type.shape.is_static())
    throw error(ErrorKind::Runtime, "output {} has no static inferred shape ({})", i, to_string(type));
  outputs_[i] = Tensor(type.element_type, type.shape.to_shape());
  return outputs_[i].tensor();
}

Tensor& KernelContext::allocate_output(size_t i, ElementType type, Shape shape) {
  if (i >= outputs_.size()) throw error(ErrorKind::Runtime, "output {} is not declared", i);
  outputs_[i] = Tensor(type, std::move(shape));
  return outputs_[i].tensor();
}

void KernelContext::set_output(size_t i, Value value) {
  if (i >= outputs_.size()) return;  // an optional output the node does not declare
  outputs_[i] = std::move(value);
}

std::vector<Value> KernelContext::run_subgraph(const ir::Graph& graph, std::vector<Value> inputs) const {
  if (!subgraphs_) throw error(ErrorKind::Runtime, "subgraphs cannot run here");
  return subgraphs_->run(graph, std::move(inputs));
}

}  // namespace tandem::ops
