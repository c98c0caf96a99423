// KernelContext: inputs, lazily allocated outputs and subgraph calls.
#include "ops/kernel_context.h"

#include <cstring>

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
  if (outputs_[i].is_tensor()) {
    Tensor& tensor = outputs_[i].tensor();
    if (i < placed_.size() && placed_[i] > 0) {
      placed_[i] = 0;
      if (tensor.element_type() != ElementType::String) std::memset(tensor.data(), 0, tensor.byte_size());
    }
    return tensor;
  }
  const ValueType& type = output_types_.at(i);
  if (!type.is_tensor() || !type.shape.is_static())
    throw error(ErrorKind::Runtime, "output {} has no static inferred shape ({})", i, to_string(type));
  outputs_[i] = Tensor(type.element_type, type.shape.to_shape());
  return outputs_[i].tensor();
}

void KernelContext::place_output(size_t i, Value tensor, size_t bytes) {
  if (i >= outputs_.size()) return;
  if (placed_.size() < outputs_.size()) placed_.resize(outputs_.size());
  outputs_[i] = std::move(tensor);
  placed_[i] = outputs_[i].is_tensor() ? bytes : 0;
}

Tensor* KernelContext::placed_output(size_t i, size_t bytes) {
  if (i >= placed_.size() || placed_[i] == 0 || placed_[i] < bytes) return nullptr;
  placed_[i] = 0;
  return &outputs_[i].tensor();
}

Tensor& KernelContext::allocate_output(size_t i, ElementType type, Shape shape) {
  if (i >= outputs_.size()) throw error(ErrorKind::Runtime, "output {} is not declared", i);
  if (i < placed_.size()) placed_[i] = 0;
  outputs_[i] = Tensor(type, std::move(shape));
  return outputs_[i].tensor();
}

void KernelContext::set_output(size_t i, Value value) {
  if (i >= outputs_.size()) return;  // an optional output the node does not declare
  if (i < placed_.size()) placed_[i] = 0;
  outputs_[i] = std::move(value);
}

std::vector<Value> KernelContext::run_subgraph(const ir::Graph& graph, std::vector<Value> inputs) const {
  if (!subgraphs_) throw error(ErrorKind::Runtime, "subgraphs cannot run here");
  return subgraphs_->run(graph, std::move(inputs));
}

}  // namespace tandem::ops
