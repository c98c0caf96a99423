// Shape and type inference of one node, at compile time (partial knowledge) or run time (all known).
#pragma once

#include <vector>

#include "ops/node_context.h"
#include "tandem/value.h"

namespace tandem::ops {

/// An op's infer function reads input types (and input values where known) and sets every output
/// type. At compile time shapes may be partial and values unknown (then outputs get what can be
/// said: always the element type, the shape as precisely as known, else unknown rank). At run
/// time every input's shape and value is known, and the output shapes inferred then are the
/// shapes the kernel's outputs are allocated with.
class InferContext : public NodeContext {
 public:
  InferContext(const ir::Node& node, int opset, std::vector<const ValueType*> input_types,
               std::vector<const Value*> input_values);

  /// Input i's type; throws InvalidModel when the input is absent.
  const ValueType& input(size_t i) const;
  ElementType input_type(size_t i) const { return input(i).element_type; }
  const PartialShape& input_shape(size_t i) const { return input(i).shape; }
  /// Input i's tensor when known now (a constant, or any input at run time); else null.
  const Tensor* input_tensor(size_t i) const;
  /// Input i's value of any kind when known now; else null.
  const Value* input_value(size_t i) const;

  void set_output(size_t i, ValueType type);
  void set_output(size_t i, ElementType type, PartialShape shape) {
    set_output(i, ValueType::tensor(type, std::move(shape)));
  }
  const std::vector<ValueType>& outputs() const { return outputs_; }

 private:
  std::vector<const ValueType*> input_types_;
  std::vector<const Value*> input_values_;
  std::vector<ValueType> outputs_;
};

}  // namespace tandem::ops
