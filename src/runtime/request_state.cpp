// Request state: binding checks, the synchronous run, and asynchronous runs on the streams.
#include "runtime/request_state.h"

#include <fmt/format.h>

#include <future>

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
  const ValueType& type = compiled_->inputs()[i].type;
  if (!fits(value, type))
    throw Error(ErrorKind::InvalidArgument, fmt::format("{}: input '{}' expects {}, got {}", api, name,
                                                        to_string(type), describe(value)));
  inputs_[i] = value;
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
  auto run = std::make_shared<Run>();
  {
    std::lock_guard lock(mutex_);
    check_idle("infer");
    in_flight_ = running_ = true;
    run->inputs = inputs_;
  }
  std::exception_ptr error;
  try {
    check_inputs(run->inputs);
    if (compiled_->on_worker_thread()) {
      compiled_->run_here(*run);  // e.g. a callback running infer(): already on a worker
    } else {
      std::promise<void> done;
      run->finish = [&](std::exception_ptr e) {
        error = e;
        done.set_value();
      };
      compiled_->start(run);
      done.get_future().wait();
    }
  } catch (...) {
    error = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  in_flight_ = running_ = false;
  if (error) std::rethrow_exception(error);
  // Outputs are replaced only when the whole run succeeded, so a failure leaves the request as it was.
  outputs_ = std::move(run->outputs);
  profile_ = std::move(run->profile);
}

void RequestState::check_idle(const char* api) const {
  if (in_flight_)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{}: the request is still running; wait() for it first", api));
}

void RequestState::start_async() {
  auto run = std::make_shared<Run>();
  {
    std::lock_guard lock(mutex_);
    if (in_flight_) throw Error(ErrorKind::InvalidArgument, "start_async: the request is already running");
    in_flight_ = true;
    cancelled_ = false;
    error_ = nullptr;
    run->inputs = inputs_;
  }
  // The run keeps the request alive, so the caller may drop its handle while the run is queued.
  Run* raw = run.get();
  run->begin = [this, raw] {
    {
      std::lock_guard lock(mutex_);
      if (cancelled_) return false;
      running_ = true;
    }
    check_inputs(raw->inputs);
    return true;
  };
  run->finish = [self = shared_from_this(), raw](std::exception_ptr error) { self->complete(*raw, std::move(error)); };
  compiled_->start(std::move(run));
}

void RequestState::complete(Run& run, std::exception_ptr error) {
  // Everything this thread holds of the run (its error, the callback's copy) is released before
  // the run counts as completed, so whoever wakes from wait() owns what is left.
  std::function<void(std::exception_ptr)> callback;
  std::exception_ptr for_callback;
  {
    std::lock_guard lock(mutex_);
    if (!error) {
      outputs_ = std::move(run.outputs);
      profile_ = std::move(run.profile);
    }
    in_flight_ = running_ = false;
    callback = callback_;
    in_callback_ = bool(callback);
    if (callback) for_callback = error;
    error_ = std::move(error);
  }
  if (callback) {
    // A callback may start the request again; wait() then waits for that run too.
    try {
      callback(std::move(for_callback));
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
  callback_ = std::move(callback);
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
