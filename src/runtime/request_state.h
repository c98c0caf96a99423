// One request's bindings and runs: input values, the outputs of the last run, its async state.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/compiled_state.h"
#include "tandem/infer_request.h"

namespace tandem::runtime {

class RequestState : public std::enable_shared_from_this<RequestState> {
 public:
  explicit RequestState(std::shared_ptr<const CompiledState> compiled);

  void set_input(const std::string& name, const Value& value, const char* api);
  void set_output_device(const std::string& name, const std::string& device);
  Value get(const std::string& name, const char* api) const;
  void infer();

  void start_async();
  void wait();
  bool wait_for(std::chrono::milliseconds timeout);
  void set_callback(std::function<void(std::exception_ptr)> callback);
  void cancel();
  std::vector<ProfilingInfo> profiling_info() const;

 private:
  int input_index(const std::string& name) const;
  int output_index(const std::string& name) const;
  void check_idle(const char* api) const;  // with mutex_ held; a callback may read and rebind
  void check_inputs(const std::vector<Value>& inputs) const;
  void launch();                                       // with mutex_ held: run_ set up, started
  bool begin_run();                                    // on the worker, before the first stage
  void complete(std::exception_ptr error);             // a run's end, on its last worker
  void take_results();                                 // with mutex_ held, after a run succeeded
  bool completed() const { return !in_flight_ && !in_callback_; }

  std::shared_ptr<const CompiledState> compiled_;
  Run run_;  // reused by every run: one in flight at a time
  std::vector<Value> inputs_;
  std::vector<Value> outputs_;
  std::vector<const devices::Device*> output_devices_;  // empty while every output goes to the host
  std::vector<ProfilingInfo> profile_;

  mutable std::mutex mutex_;
  std::condition_variable completed_;
  bool in_flight_ = false;   // queued or running
  bool running_ = false;     // dequeued and executing
  bool cancelled_ = false;
  bool in_callback_ = false;
  bool sync_ = false;        // the run in flight is infer()'s: no callback, its error is infer's
  std::exception_ptr error_;
  std::exception_ptr sync_error_;
  // Shared, so a completion takes it without copying the function (which may allocate).
  std::shared_ptr<const std::function<void(std::exception_ptr)>> callback_;
};

}  // namespace tandem::runtime
