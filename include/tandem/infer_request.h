// InferRequest: one set of inputs and outputs bound to a compiled model.
#pragma once

#include <memory>
#include <string>

#include "tandem/tensor.h"
#include "tandem/value.h"

namespace tandem {

namespace runtime {
class RequestState;
}

/// A request owns its input and output values. One request is used by one thread at a time; make
/// one request per thread to run in parallel. A failed call leaves the request usable.
class InferRequest {
 public:
  explicit InferRequest(std::shared_ptr<runtime::RequestState> state);

  /// Binds an input. Throws InvalidArgument for an unknown name or a type or shape the model
  /// does not accept; the previous binding is kept then. The tensor is not copied.
  void set_tensor(const std::string& name, const Tensor& tensor);
  /// An input's bound tensor, or an output's tensor after infer(). Static inputs are
  /// pre-allocated (zeros) so they can be filled in place.
  Tensor get_tensor(const std::string& name) const;
  /// As set_tensor/get_tensor, for inputs and outputs that are sequences or optionals.
  void set_value(const std::string& name, const Value& value);
  Value get_value(const std::string& name) const;

  /// Runs the model on the bound inputs, synchronously.
  void infer();

 private:
  std::shared_ptr<runtime::RequestState> state_;
};

}  // namespace tandem
