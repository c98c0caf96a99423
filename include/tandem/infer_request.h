// InferRequest: one set of inputs and outputs bound to a compiled model.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tandem/tensor.h"
#include "tandem/value.h"

namespace tandem {

namespace runtime {
class RequestState;
}

/// One node's record from a run with ENABLE_PROFILING.
struct ProfilingInfo {
  std::string node_name;
  std::string node_type;  // the op, e.g. "Conv"
  std::string exec_type;  // the implementation that ran, e.g. "reference"
  std::string device;     // where it ran, e.g. "CPU"
  std::chrono::microseconds real_time{0};
  std::chrono::steady_clock::time_point start{};  // when it began: timelines across devices
  /// "executed"; or, for a node of the model that does not run per inference, "optimised out"
  /// (computed once at compile time) or "fused into <node>" (another node computes its result).
  std::string status = "executed";
};

/// A request owns its input and output values. Calls on one request come from one thread at a
/// time (its callback runs on a stream's thread); make one request per concurrent inference. A
/// failed call leaves the request usable. Destroying a request with work in flight is safe: the
/// work completes (or is cancelled) first.
class InferRequest {
 public:
  explicit InferRequest(std::shared_ptr<runtime::RequestState> state);

  /// Binds an input. Throws InvalidArgument for an unknown name or a type or shape the model
  /// does not accept; the previous binding is kept then. The tensor is not copied. A device
  /// tensor (Core::create_tensor, or another model's output kept on its device) goes to the stages
  /// on its device as it is; stages elsewhere get it through host memory. Its element type must
  /// be the one its device stores the input's type as.
  void set_tensor(const std::string& name, const Tensor& tensor);
  /// An input's bound tensor, or an output's tensor after infer(). Static inputs are
  /// pre-allocated (zeros) so they can be filled in place.
  Tensor get_tensor(const std::string& name) const;
  /// As set_tensor/get_tensor, for inputs and outputs that are sequences or optionals.
  void set_value(const std::string& name, const Value& value);
  Value get_value(const std::string& name) const;

  /// Where get_tensor delivers output `name` from the next run on: "CPU" (host memory, the
  /// default) or a device's own memory ("GPU"). An output that device computes stays where it is,
  /// with no copy to the host, so that a pipeline of models on the device hands it on as it is;
  /// another is copied there. Throws InvalidArgument for an unknown output or one that is no
  /// tensor, and as Core::create_tensor for the device.
  void set_output_device(const std::string& name, const std::string& device);

  /// Runs the model on the bound inputs and returns when done (the work runs on one of the
  /// compiled model's streams; the calling thread waits).
  void infer();

  /// Queues a run on the compiled model's streams and returns at once. Inputs must not change
  /// until it completes. Throws InvalidArgument if a run of this request is already in flight.
  void start_async();
  /// Blocks until the run started last completes; rethrows its error, if any.
  void wait();
  /// As wait, for at most `timeout`; true when the run has completed (its error is rethrown).
  bool wait_for(std::chrono::milliseconds timeout);
  /// Called once per completed asynchronous run, on the stream's thread, with the run's error
  /// (null on success). Keep it short; it may start the request again.
  void set_callback(std::function<void(std::exception_ptr)> callback);
  /// Cancels a queued run that has not started; it then completes with a Runtime error saying so.
  /// A run already executing finishes normally.
  void cancel();
  /// Per-node records of the last run, in execution order; empty without ENABLE_PROFILING.
  std::vector<ProfilingInfo> profiling_info() const;

 private:
  std::shared_ptr<runtime::RequestState> state_;
};

}  // namespace tandem
