// Request state: binding checks, the synchronous run, and asynchronous runs on the streams.
#include "runtime/request_state.h"

#include <fmt/format.h>

#include <utility>

#include "runtime/device_tensors.h"

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
    case ValueType::Kind::Map: return value.is_map();
  }
  return false;
}

}  // namespace

RequestState::RequestState(std::shared_ptr<const CompiledState> compiled)
    : compiled_(std::move(compiled)), inputs_(compiled_->inputs().size()), outputs_(compiled_->outputs().size()) {
  // Set once: their captures fit std::function's own storage, and runs reuse them.
  run_.begin = [this] { return begin_run(); };
  run_.finish = [this](std::exception_ptr error) { complete(std::move(error)); };
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
  std::lock_guard lock(mutex_);
  check_idle(api);
  int i = input_index(name);
  if (i < 0)
    throw Error(ErrorKind::InvalidArgument, fmt::format("{}: the model has no input '{}'; its inputs are {}",
                                                        api, name, names_of(compiled_->inputs())));
  ValueType type = compiled_->inputs()[i].type;
  std::string where;  // of a device tensor: the memory it is in
  if (value.is_tensor() && !value.tensor().on_host()) {
    if (!type.is_tensor())
      throw Error(ErrorKind::InvalidArgument, fmt::format("{}: input '{}' takes {}, which stays in host memory; got {}",
                                                          api, name, to_string(type), describe(value)));
    // A device keeps some types as others (the VNPU keeps f32 as f16): its tensor has those.
    if (const devices::Device* device = memory_device(value.tensor(), api))
      type.element_type = device->storage_type(type.element_type);
    where = fmt::format(" in {} memory", value.tensor().device());
  }
  if (!fits(value, type))
    throw Error(ErrorKind::InvalidArgument, fmt::format("{}: input '{}' expects {}{}, got {}", api, name,
                                                        to_string(type), where, describe(value)));
  inputs_[i] = value;
}

void RequestState::set_output_device(const std::string& name, const std::string& device) {
  std::lock_guard lock(mutex_);
  check_idle("set_output_device");
  const int i = output_index(name);
  if (i < 0)
    throw Error(ErrorKind::InvalidArgument, fmt::format("set_output_device: the model has no output '{}'; its outputs are {}",
                                                        name, names_of(compiled_->outputs())));
  if (!compiled_->outputs()[i].type.is_tensor())
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("set_output_device: output '{}' is {}, which stays in host memory", name,
                            to_string(compiled_->outputs()[i].type)));
  const devices::Device* where = memory_of(device, "set_output_device");
  if (output_devices_.empty()) output_devices_.resize(outputs_.size());
  output_devices_[i] = where;
}

Value RequestState::get(const std::string& name, const char* api) const {
  std::lock_guard lock(mutex_);
  check_idle(api);
  if (int i = input_index(name); i >= 0) return inputs_[i];
  if (int i = output_index(name); i >= 0) return outputs_[i];
  throw Error(ErrorKind::InvalidArgument,
              fmt::format("{}: the model has no input or output '{}'; inputs: {}; outputs: {}", api, name,
                          names_of(compiled_->inputs()), names_of(compiled_->outputs())));
}

void RequestState::check_inputs(const std::vector<Value>& inputs) const {
  const auto& ports = compiled_->inputs();
  for (size_t i = 0; i < ports.size(); ++i)
    if (inputs[i].is_none() && ports[i].type.kind != ValueType::Kind::Optional)
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("infer: input '{}' ({}) is not set", ports[i].name, to_string(ports[i].type)));
}

void RequestState::infer() {
  std::unique_lock lock(mutex_);
  check_idle("infer");
  sync_ = true;
  sync_error_ = nullptr;
  cancelled_ = false;  // a cancel() of an earlier asynchronous run
  if (compiled_->on_worker_thread()) {
    // Already on a worker (a callback running infer()): waiting for one would wait forever.
    in_flight_ = running_ = true;
    run_.inputs = inputs_;
    run_.output_devices = output_devices_;
    lock.unlock();
    std::exception_ptr error;
    try {
      check_inputs(run_.inputs);
      compiled_->run_here(run_);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    in_flight_ = running_ = false;
    if (error) std::rethrow_exception(error);
    take_results();
    return;
  }
  running_ = true;  // a synchronous run cannot be cancelled
  launch();
  completed_.wait(lock, [&] { return !in_flight_; });
  if (sync_error_) std::rethrow_exception(std::exchange(sync_error_, nullptr));
}

void RequestState::launch() {
  in_flight_ = true;
  cancelled_ = false;
  run_.inputs = inputs_;  // copies handles into the run's vector: no bytes, no allocation
  run_.output_devices = output_devices_;
  run_.owner = shared_from_this();
  compiled_->start(run_);
}

bool RequestState::begin_run() {
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) return false;
    running_ = true;
  }
  check_inputs(run_.inputs);
  return true;
}

void RequestState::take_results() {
  // Swapped, not moved, so both vectors keep their capacity; the old outputs are let go.
  std::swap(outputs_, run_.outputs);
  run_.outputs.clear();
  std::swap(profile_, run_.profile);
  run_.profile.clear();
}

void RequestState::check_idle(const char* api) const {
  if (in_flight_)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{}: the request is still running; wait() for it first", api));
}

void RequestState::start_async() {
  std::lock_guard lock(mutex_);
  if (in_flight_) throw Error(ErrorKind::InvalidArgument, "start_async: the request is already running");
  sync_ = false;
  error_ = nullptr;
  launch();
}

void RequestState::complete(std::exception_ptr error) {
  // Everything this thread holds of the run (its error, the callback's copy) is released before
  // the run counts as completed, so whoever wakes from wait() owns what is left. The worker keeps
  // its own copy of run_.owner until this returns.
  std::shared_ptr<const std::function<void(std::exception_ptr)>> callback;
  std::exception_ptr for_callback;
  {
    std::lock_guard lock(mutex_);
    run_.owner.reset();
    // Outputs are replaced only when the whole run succeeded, so a failure leaves the request as it was.
    if (!error) take_results();
    in_flight_ = running_ = false;
    if (sync_) {
      sync_error_ = std::move(error);
      completed_.notify_all();
      return;
    }
    if (callback_ && *callback_) callback = callback_;
    in_callback_ = bool(callback);
    if (callback) for_callback = error;
    error_ = std::move(error);
  }
  if (callback) {
    // A callback may start the request again; wait() then waits for that run too.
    try {
      (*callback)(std::move(for_callback));
    } catch (...) {
      // A throwing callback must not take down the stream; its exception has nowhere to go.
    }
    callback = nullptr;
    std::lock_guard lock(mutex_);
    in_callback_ = false;
  }
  completed_.notify_all();
}

void RequestState::wait() {
  std::unique_lock lock(mutex_);
  completed_.wait(lock, [&] { return completed(); });
  if (error_) std::rethrow_exception(error_);
}

bool RequestState::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!completed_.wait_for(lock, timeout, [&] { return completed(); })) return false;
  if (error_) std::rethrow_exception(error_);
  return true;
}

void RequestState::set_callback(std::function<void(std::exception_ptr)> callback) {
  std::lock_guard lock(mutex_);
  callback_ = callback ? std::make_shared<const std::function<void(std::exception_ptr)>>(std::move(callback)) : nullptr;
}

void RequestState::cancel() {
  std::lock_guard lock(mutex_);
  if (in_flight_ && !running_) cancelled_ = true;
}

std::vector<ProfilingInfo> RequestState::profiling_info() const {
  std::vector<ProfilingInfo> records;
  {
    std::lock_guard lock(mutex_);
    records = profile_;
  }
  if (records.empty()) return records;  // no run profiled yet
  std::vector<ProfilingInfo> not_run = compiled_->not_run();
  records.insert(records.end(), not_run.begin(), not_run.end());
  return records;
}

}  // namespace tandem::runtime
