// The timed loop of `tandem bench`: requests run synchronously, free-running (each restarted from
// its callback) or paced by arrivals, and what every completed run leaves behind.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "inputs.h"
#include "tandem/tandem.h"

namespace tandem::cli::bench {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to);

/// How runs start: each as soon as a request is free, at Poisson arrivals (the server
/// scenario: queued arrivals count their wait), or at a fixed rate at most (-max_irate).
enum class Pacing { Free, Poisson, Fixed };

/// What to run, resolved from the flags and the scenario.
struct Plan {
  std::string hint;  // PERFORMANCE_HINT for compile_model; empty for -hint none
  bool async = true;
  int requests = 0;  // 0 until the compiled model's OPTIMAL_NUMBER_OF_INFER_REQUESTS is known
  Pacing pacing = Pacing::Free;
  double rate = 0;  // arrivals per second, for Poisson and Fixed
  double seconds = 0;
  int64_t iterations = 0;
};

/// Another run may start until every given limit is reached (benchmark_app's rule).
struct Budget {
  double seconds = 0;
  int64_t iterations = 0;
  bool allows(int64_t started, double elapsed_s) const;
  /// The fraction done, by the limit furthest from being reached.
  double progress(int64_t done, double elapsed_s) const;
  std::string describe() const;  // "10 s, 100 iterations"
};

/// One request's inputs, in the order of the compiled model's inputs.
using InputSet = std::vector<Value>;
void bind_inputs(InferRequest& request, const std::vector<Port>& ports, const InputSet& values);

/// The nearest-rank percentile, as benchmark_app computes it; p in [0, 100].
double percentile(const std::vector<double>& sorted, double p);

/// One node's profiling records summed over iterations.
struct NodeCounter {
  std::string name, op, implementation, device;
  size_t order = 0;  // position in a run's records
  int64_t runs = 0;
  double total_ms = 0;
};

/// Records keyed by name, op and occurrence: names are optional in ONNX, so one may repeat.
class CounterTable {
 public:
  void add(const std::vector<ProfilingInfo>& records);
  const std::vector<NodeCounter>& counters() const { return counters_; }

 private:
  std::map<std::string, size_t> index_;
  std::vector<NodeCounter> counters_;
};

/// What every completed run leaves behind; record() is safe from the streams' threads. Read the
/// rest once the run has drained.
class Collector {
 public:
  explicit Collector(bool profiling) : profiling_(profiling) {}
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  /// latency counts from the run's origin (its start, or its arrival).
  void record(double latency_ms, InferRequest& request);
  int64_t completed() const;

  const std::vector<double>& latencies_ms() const { return latencies_ms_; }
  Clock::time_point last_completion() const { return last_completion_; }
  const CounterTable& counters() const { return counters_; }
  bool profiling() const { return profiling_; }

 private:
  mutable std::mutex mutex_;
  bool profiling_;
  std::vector<double> latencies_ms_;
  Clock::time_point last_completion_;
  CounterTable counters_;
};

/// A request with its inputs. `origin` is where its latency counts from (its start, or its
/// query's arrival in the server scenario).
struct Slot {
  explicit Slot(InferRequest r) : request(std::move(r)) {}
  InferRequest request;
  std::vector<InputSet> sets;  // more than one when inputs are rebound every iteration
  size_t next_set = 0;
  Clock::time_point origin;
};

class Progress;

/// Runs the timed loop over the slots as the plan says. The slots must not move while it runs.
class Runner {
 public:
  Runner(std::vector<Slot>& slots, const std::vector<Port>& ports, const Plan& plan,
         Collector& collector, uint64_t seed);
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  /// Returns when every run has completed, with the time the first started; rethrows the first
  /// failed run's error then.
  Clock::time_point run();

 private:
  double elapsed_s(Clock::time_point t) const;
  void rebind(Slot& slot);
  void run_sync(Progress& progress);
  void run_free(Progress& progress);
  void done_free(Slot& slot, std::exception_ptr error);
  void run_paced(Progress& progress);
  void done_paced(Slot& slot, std::exception_ptr error);
  Clock::duration interval() const;
  Clock::time_point next_arrival(Clock::time_point last);
  void start(Slot& slot, Clock::time_point origin);
  void fail(std::exception_ptr error);
  void finish_one();
  void wait_for_drain(Progress& progress);

  std::vector<Slot>& slots_;
  const std::vector<Port>& ports_;
  const Plan& plan_;
  Budget budget_;
  Collector& collector_;
  Random random_;
  Clock::time_point start_;

  std::mutex mutex_;
  std::condition_variable cv_;
  int64_t started_ = 0;
  int in_flight_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::vector<Slot*> free_;
  std::deque<Clock::time_point> pending_;  // server arrivals waiting for a free request
};

}  // namespace tandem::cli::bench
