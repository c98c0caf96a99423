// The timed loop of `tandem bench`: requests run synchronously, free-running (each restarted from
// its callback) or paced by arrivals, and what every completed run leaves behind.
#include "bench_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <thread>

#include <fmt/core.h>

namespace tandem::cli::bench {
namespace {

double ms(std::chrono::microseconds t) {
  return std::chrono::duration<double, std::milli>(t).count();
}

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

bool Budget::allows(int64_t started, double elapsed_s) const {
  return (iterations > 0 && started < iterations) || (seconds > 0 && elapsed_s < seconds);
}

double Budget::progress(int64_t done, double elapsed_s) const {
  double p = 1;
  if (iterations > 0) p = std::min(p, double(done) / double(iterations));
  if (seconds > 0) p = std::min(p, elapsed_s / seconds);
  return std::clamp(p, 0.0, 1.0);
}

std::string Budget::describe() const {
  std::string text;
  if (seconds > 0) text = fmt::format("{:g} s", seconds);
  if (iterations > 0) text += fmt::format("{}{} iterations", text.empty() ? "" : ", ", iterations);
  return text;
}

void bind_inputs(InferRequest& request, const std::vector<Port>& ports, const InputSet& values) {
  for (size_t i = 0; i < ports.size(); ++i) {
    if (ports[i].type.is_tensor())
      request.set_tensor(ports[i].name, values[i].tensor());
    else
      request.set_value(ports[i].name, values[i]);
  }
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = size_t(std::ceil(double(sorted.size()) * p / 100.0));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

void CounterTable::add(const std::vector<ProfilingInfo>& records) {
  std::map<std::string, int> seen;
  for (size_t i = 0; i < records.size(); ++i) {
    const ProfilingInfo& r = records[i];
    std::string key = r.node_name + '\0' + r.node_type;
    key += '\0' + std::to_string(seen[key]++);
    auto [it, added] = index_.try_emplace(key, counters_.size());
    // A node that does not run per inference shows why in place of an implementation.
    if (added)
      counters_.push_back({r.node_name, r.node_type, r.status == "executed" ? r.exec_type : r.status, r.device, i});
    NodeCounter& c = counters_[it->second];
    ++c.runs;
    c.total_ms += ms(r.real_time);
  }
}

void Collector::record(double latency_ms, InferRequest& request) {
  std::vector<ProfilingInfo> records;
  if (profiling_) records = request.profiling_info();
  std::lock_guard lock(mutex_);
  latencies_ms_.push_back(latency_ms);
  last_completion_ = Clock::now();
  if (profiling_) counters_.add(records);
}

int64_t Collector::completed() const {
  std::lock_guard lock(mutex_);
  return int64_t(latencies_ms_.size());
}

// A bar redrawn in place on a terminal; a plain line per tenth otherwise (logs, pipes).
class Progress {
 public:
  static constexpr auto kInterval = std::chrono::milliseconds(100);

  Progress(const Budget& budget, Clock::time_point start)
      : budget_(budget), start_(start), terminal_(isatty(STDOUT_FILENO) == 1) {}
  void update(int64_t done) {
    double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    double p = budget_.progress(done, elapsed);
    if (terminal_) {
      constexpr int kWidth = 30;
      int filled = int(p * kWidth);
      fmt::print("\r  [{}{}] {:3.0f}%  {:.1f} s  {} iterations", std::string(filled, '#'),
                 std::string(kWidth - filled, ' '), p * 100, elapsed, done);
      std::fflush(stdout);
      drawn_ = true;
      return;
    }
    int tenth = int(p * 10 + 1e-9);
    if (tenth <= last_tenth_) return;
    last_tenth_ = tenth;
    fmt::print("  progress {:3d}%  {:.1f} s  {} iterations\n", tenth * 10, elapsed, done);
    std::fflush(stdout);
  }
  void finish(int64_t done) {
    update(done);
    if (drawn_) fmt::print("\n");
  }

 private:
  Budget budget_;
  Clock::time_point start_;
  bool terminal_;
  bool drawn_ = false;
  int last_tenth_ = 0;
};

Runner::Runner(std::vector<Slot>& slots, const std::vector<Port>& ports, const Plan& plan,
               Collector& collector, uint64_t seed)
    : slots_(slots),
      ports_(ports),
      plan_(plan),
      budget_{plan.seconds, plan.iterations},
      collector_(collector),
      random_(seed ^ 0x5eedc0ffeeull) {}

Clock::time_point Runner::run() {
  start_ = Clock::now();
  Progress progress(budget_, start_);
  if (!plan_.async)
    run_sync(progress);
  else if (plan_.pacing == Pacing::Free)
    run_free(progress);
  else
    run_paced(progress);
  progress.finish(collector_.completed());
  for (Slot& slot : slots_) {
    // The last callback may still be returning; its error, if any, is in error_ already.
    try {
      slot.request.wait();
    } catch (...) {
    }
    slot.request.set_callback(nullptr);
  }
  if (error_) std::rethrow_exception(error_);
  return start_;
}

double Runner::elapsed_s(Clock::time_point t) const {
  return std::chrono::duration<double>(t - start_).count();
}

void Runner::rebind(Slot& slot) {
  if (slot.sets.size() < 2) return;
  slot.next_set = (slot.next_set + 1) % slot.sets.size();
  bind_inputs(slot.request, ports_, slot.sets[slot.next_set]);
}

void Runner::run_sync(Progress& progress) {
  Slot& slot = slots_[0];
  Clock::time_point due = start_;
  int64_t started = 0;
  while (budget_.allows(started, elapsed_s(Clock::now()))) {
    if (plan_.pacing == Pacing::Fixed) {
      std::this_thread::sleep_until(due);
      due = std::max(due + interval(), Clock::now());
    }
    auto t0 = Clock::now();
    rebind(slot);  // inside the timing: -inference_only false measures it
    slot.request.infer();
    double ms = ms_between(t0, Clock::now());
    collector_.record(ms, slot.request);
    progress.update(++started);
  }
}

void Runner::run_free(Progress& progress) {
  for (Slot& slot : slots_)
    slot.request.set_callback([this, &slot](std::exception_ptr e) { done_free(slot, e); });
  for (Slot& slot : slots_) {
    {
      std::lock_guard lock(mutex_);
      if (!budget_.allows(started_, elapsed_s(Clock::now()))) break;
      ++started_;
      ++in_flight_;
    }
    start(slot, Clock::now());
  }
  wait_for_drain(progress);
}

void Runner::done_free(Slot& slot, std::exception_ptr error) {
  auto now = Clock::now();
  if (!error)
    collector_.record(ms_between(slot.origin, now), slot.request);
  bool again;
  {
    std::lock_guard lock(mutex_);
    if (error) fail(error);
    again = !stopping_ && budget_.allows(started_, elapsed_s(now));
    if (again) ++started_;
  }
  if (!again) return finish_one();
  auto origin = Clock::now();
  rebind(slot);
  start(slot, origin);
}

void Runner::run_paced(Progress& progress) {
  for (Slot& slot : slots_) {
    slot.request.set_callback([this, &slot](std::exception_ptr e) { done_paced(slot, e); });
    free_.push_back(&slot);
  }
  Clock::time_point arrival = start_;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    while (!stopping_ && Clock::now() < arrival) {  // sleep until it, drawing the progress
      cv_.wait_until(lock, std::min(arrival, Clock::now() + Progress::kInterval));
      lock.unlock();
      progress.update(collector_.completed());
      lock.lock();
    }
    if (stopping_ || !budget_.allows(started_, elapsed_s(arrival))) break;
    ++started_;
    if (plan_.pacing == Pacing::Fixed)  // a rate at most: wait for a free request
      cv_.wait(lock, [&] { return stopping_ || !free_.empty(); });
    if (stopping_) break;
    if (free_.empty()) {
      pending_.push_back(arrival);
    } else {
      Slot* slot = free_.back();
      free_.pop_back();
      ++in_flight_;
      auto origin = plan_.pacing == Pacing::Poisson ? arrival : Clock::now();
      lock.unlock();
      start(*slot, origin);
      lock.lock();
    }
    arrival = next_arrival(arrival);
  }
  lock.unlock();
  wait_for_drain(progress);
}

void Runner::done_paced(Slot& slot, std::exception_ptr error) {
  auto now = Clock::now();
  if (!error)
    collector_.record(ms_between(slot.origin, now), slot.request);
  std::optional<Clock::time_point> queued;
  {
    std::lock_guard lock(mutex_);
    if (error) fail(error);
    if (!stopping_ && !pending_.empty()) {
      queued = pending_.front();
      pending_.pop_front();
    } else {
      free_.push_back(&slot);
    }
  }
  if (!queued) return finish_one();
  rebind(slot);
  start(slot, *queued);
}

Clock::duration Runner::interval() const { return seconds(1.0 / plan_.rate); }

Clock::time_point Runner::next_arrival(Clock::time_point last) {
  if (plan_.pacing == Pacing::Fixed) return std::max(last + interval(), Clock::now());
  return last + seconds(-std::log(1.0 - random_.uniform()) / plan_.rate);  // exponential gaps
}

// The slot is counted in in_flight_ already.
void Runner::start(Slot& slot, Clock::time_point origin) {
  slot.origin = origin;
  try {
    slot.request.start_async();
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      fail(std::current_exception());
    }
    finish_one();
  }
}

void Runner::fail(std::exception_ptr error) {
  if (!error_) error_ = error;
  stopping_ = true;
  pending_.clear();
}

void Runner::finish_one() {
  std::lock_guard lock(mutex_);
  --in_flight_;
  cv_.notify_all();
}

void Runner::wait_for_drain(Progress& progress) {
  std::unique_lock lock(mutex_);
  while (in_flight_ > 0) {
    cv_.wait_for(lock, Progress::kInterval);
    lock.unlock();
    progress.update(collector_.completed());
    lock.lock();
  }
}

}  // namespace tandem::cli::bench
