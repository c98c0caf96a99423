// The figures of `tandem bench`: its JSON report (docs/bench_report.schema.json), every figure a
// value with its unit, and the summary printed from that same report.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "bench_runner.h"
#include "tandem/tandem.h"

namespace tandem::cli::bench {

using Json = nlohmann::ordered_json;

/// {"value": 12.5, "unit": "ms"}.
Json quantity(double value, const char* unit);

/// The process's user and system CPU time so far, and when it was read.
struct CpuTimes {
  double user_ms = 0, system_ms = 0;
  Clock::time_point when;
  static CpuTimes now();
};

/// The process's peak resident memory so far, in KiB (as benchmark_app reports it).
double peak_memory_kib();

/// What the timed run measured, for the "execution" section.
struct Measurement {
  const Collector& collector;
  const Plan& plan;
  Clock::time_point start;  // of the first run
  CpuTimes cpu_before, cpu_after;
  int batch = 1;
  double extra_percentile = 50;  // -latency_percentile; reported unless a standard one
  std::map<std::string, double> device_busy_ms;  // during the timed run, by device
  std::map<std::string, DeviceLaunches> device_launches;  // during the timed run, by device
  bool device_memory = false;  // -use_device_mem: inputs and outputs in the first device's memory
};

/// Each device's busy time between two readings of CompiledModel::device_busy_time(), in ms.
std::map<std::string, double> busy_between(
    const std::map<std::string, std::chrono::microseconds>& before,
    const std::map<std::string, std::chrono::microseconds>& after);
/// Each device's launches between two readings of CompiledModel::device_launches().
std::map<std::string, DeviceLaunches> launches_between(const std::map<std::string, DeviceLaunches>& before,
                                                       const std::map<std::string, DeviceLaunches>& after);

/// Iterations, duration, latency, throughput, CPU utilisation, busy time per device, and the
/// placement: nodes and subgraphs per device, transfers per inference.
/// Throws Runtime when no run completed.
Json execution_json(const Measurement& m, const CompiledModel& compiled);
/// The scenario's name, and for the server its arrival rate, p99 latency and verdict.
Json scenario_json(const std::string& scenario, const Measurement& m, double latency_bound_ms);
/// The per-node counters, sorted by time ("sort") or in execution order.
Json counters_json(const CounterTable& table, const std::string& sort, int64_t iterations);

void print_counters(const Json& counters);
/// The step 7 summary: timings, latency, throughput, utilisation, placement, the scenario.
void print_summary(const Json& report);

}  // namespace tandem::cli::bench
