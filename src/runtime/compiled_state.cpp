// Compiled state and request state: binding checks and the synchronous run.
#include "runtime/compiled_state.h"

#include <fmt/format.h>

#include "runtime/graph_executor.h"

namespace tandem::runtime {
namespace {

std::string names_of(const std::vector<Port>& ports) {
  std::string s;
  for (const Port& p : ports) s += (s.empty() ? "'" : ", '") + p.name + "'";
  return s.empty() ? "none" : s;
}

// Whether a value fits a declared type: kinds agree, tensor element types agree, static dims agree.
bool fits(const Value& value, const ValueType& type) {
  switch (type.kind) {
    case ValueType::Kind::Unknown: return true;
    case ValueType::Kind::Tensor:
      return value.is_tensor() && (type.element_type == ElementType::Undefined ||
                                   value.tensor().element_type() == type.element_type) &&
             type.shape.compatible(value.tensor().shape());
    case ValueType::Kind::Sequence: return value.is_sequence();
    case ValueType::Kind::Optional: return value.is_none() || !type.element || fits(value, *type.element);
    case ValueType::Kind::Map: return false;
  }
  return false;
}

std::string describe_value(const Value& value) {
  switch (value.kind()) {
    case ValueKind::Tensor: return describe(value.tensor());
    case ValueKind::Sequence:
      return fmt::format("seq({}) of {} items", to_string(value.sequence_element_type()), value.items().size());
    case ValueKind::None: return "an empty optional";
  }
  return "?";
}

// The newest opset of the default domain whose ops the library defines, version by version.
constexpr int kMaxOpset = 28;

const ir::Model& supported(const ir::Model& model) {
  const int opset = model.opset("");
  if (opset > kMaxOpset)
    throw Error(ErrorKind::Unsupported,
                fmt::format("{}: the model imports opset {} of domain 'ai.onnx'; tandem supports opsets 1 to {}",
                            model.path, opset, kMaxOpset));
  return model;
}

}  // namespace

CompiledState::CompiledState(std::shared_ptr<const ir::Model> model, std::string device)
    : model_(std::move(model)),
      device_(std::move(device)),
      plan_(*model_->graph, supported(*model_).opsets, {}, model_->path) {}

RequestState::RequestState(std::shared_ptr<const CompiledState> compiled)
    : compiled_(std::move(compiled)), inputs_(compiled_->inputs().size()), outputs_(compiled_->outputs().size()) {
  // Static tensor inputs get zero-filled tensors so callers can fill them in place.
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const ValueType& type = compiled_->inputs()[i].type;
    if (type.is_tensor() && type.shape.is_static() && element_size(type.element_type) > 0)
      inputs_[i] = Tensor(type.element_type, type.shape.to_shape());
  }
}

int RequestState::input_index(const std::string& name) const {
  const auto& ports = compiled_->inputs();
  for (size_t i = 0; i < ports.size(); ++i)
    if (ports[i].name == name) return int(i);
  return -1;
}

int RequestState::output_index(const std::string& name) const {
  const auto& ports = compiled_->outputs();
  for (size_t i = 0; i < ports.size(); ++i)
    if (ports[i].name == name) return int(i);
  return -1;
}

void RequestState::set_input(const std::string& name, const Value& value, const char* api) {
  int i = input_index(name);
  if (i < 0)
    throw Error(ErrorKind::InvalidArgument, fmt::format("{}: the model has no input '{}'; its inputs are {}",
                                                        api, name, names_of(compiled_->inputs())));
  const ValueType& type = compiled_->inputs()[i].type;
  if (!fits(value, type))
    throw Error(ErrorKind::InvalidArgument, fmt::format("{}: input '{}' expects {}, got {}", api, name,
                                                        to_string(type), describe_value(value)));
  inputs_[i] = value;
}

Value RequestState::get(const std::string& name, const char* api) const {
  if (int i = input_index(name); i >= 0) return inputs_[i];
  if (int i = output_index(name); i >= 0) return outputs_[i];
  throw Error(ErrorKind::InvalidArgument,
              fmt::format("{}: the model has no input or output '{}'; inputs: {}; outputs: {}", api, name,
                          names_of(compiled_->inputs()), names_of(compiled_->outputs())));
}

void RequestState::infer() {
  const auto& ports = compiled_->inputs();
  for (size_t i = 0; i < ports.size(); ++i)
    if (inputs_[i].is_none() && ports[i].type.kind != ValueType::Kind::Optional)
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("infer: input '{}' ({}) is not set", ports[i].name, to_string(ports[i].type)));
  // Outputs are replaced only when the whole run succeeded, so a failure leaves the request as it was.
  try {
    outputs_ = execute(compiled_->plan(), inputs_);
  } catch (const Error& e) {
    const std::string& path = compiled_->model().path;
    throw Error(e.kind(), path.empty() ? e.what() : path + ": " + e.what());
  }
}

}  // namespace tandem::runtime
