// The figures of `tandem bench`: its JSON report (docs/bench_report.schema.json), every figure a
// value with its unit, and the summary printed from that same report.
#include "bench_report.h"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace tandem::cli::bench {
namespace {

int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return int(std::max(1u, std::thread::hardware_concurrency()));
}

double duration_ms(const Measurement& m) {
  return ms_between(m.start, m.collector.last_completion());
}

Json latency_json(const Measurement& m) {
  std::vector<double> sorted = m.collector.latencies_ms();
  std::sort(sorted.begin(), sorted.end());
  double mean = 0;
  for (double ms : sorted) mean += ms;
  mean /= double(sorted.size());
  Json latency = {{"min", quantity(sorted.front(), "ms")},
                  {"median", quantity(percentile(sorted, 50), "ms")},
                  {"mean", quantity(mean, "ms")},
                  {"p90", quantity(percentile(sorted, 90), "ms")},
                  {"p99", quantity(percentile(sorted, 99), "ms")},
                  {"max", quantity(sorted.back(), "ms")}};
  double p = m.extra_percentile;
  if (p != 50 && p != 90 && p != 99)
    latency[fmt::format("p{:g}", p)] = quantity(percentile(sorted, p), "ms");
  return latency;
}

// Busy time per device: node times with profiling; without, a request's start→completion, which
// is its run time only when no request waits for a stream (the API has no device time else).
Json devices_json(const Measurement& m, const CompiledModel& compiled) {
  double wall_ms = duration_ms(m);
  Json devices = Json::array();
  auto add = [&](const std::string& device, std::optional<double> busy_ms, const char* source) {
    Json busy = busy_ms ? quantity(wall_ms > 0 ? 100 * *busy_ms / wall_ms : 0, "%") : Json();
    devices.push_back({{"device", device},
                       {"busy_time", busy_ms ? quantity(*busy_ms, "ms") : Json()},
                       {"busy", busy},
                       {"streams", m.streams},
                       {"source", source}});
  };
  if (m.collector.profiling() && !m.collector.device_ms().empty()) {
    for (const auto& [device, ms] : m.collector.device_ms()) add(device, ms, "profiling");
  } else if (!m.plan.async || m.plan.requests <= m.streams) {
    add(compiled.device(), m.collector.run_ms(), "request_time");
  } else {
    add(compiled.device(), std::nullopt, "unavailable");
  }
  return devices;
}

// Nodes per device: from profiling where they ran; else every node on the compiled device when
// that is one device (transfers are known to be 0 only when one device ran everything).
Json placement_json(const Measurement& m, const CompiledModel& compiled, const Model& model) {
  Json nodes = Json::object();
  if (m.collector.profiling()) {
    std::map<std::string, int64_t> counts;
    for (const NodeCounter& c : m.collector.counters().counters()) ++counts[c.device];
    for (const auto& [device, n] : counts) nodes[device] = quantity(double(n), "nodes");
    return {{"nodes", nodes},
            {"transfers", counts.size() <= 1 ? quantity(0, "transfers") : Json()},
            {"source", "profiling"}};
  }
  std::string device = compiled.device();
  if (device.find(':') != std::string::npos || device == "AUTO")
    return {{"nodes", nodes}, {"transfers", nullptr}, {"source", "unknown"}};
  nodes[device] = quantity(double(model.node_count()), "nodes");
  return {{"nodes", nodes}, {"transfers", quantity(0, "transfers")}, {"source", "compiled_device"}};
}

double value(const Json& quantity) { return quantity["value"].get<double>(); }

std::string truncate(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

void print_devices(const Json& execution, int requests) {
  for (const Json& d : execution["devices"]) {
    std::string device = d["device"].get<std::string>() + " busy";
    int streams = std::max(1, d["streams"].get<int>());
    if (d["busy"].is_null()) {
      fmt::print(
          "  {:<17} unknown: {} requests share {} streams, so a request's time includes "
          "queueing; -pc measures it\n",
          device, requests, streams);
      continue;
    }
    fmt::print(
        "  {:<17} {:10.1f} % of the wall time ({:.0f} ms over {} stream{}, up to {}%; "
        "from {})\n",
        device, value(d["busy"]), value(d["busy_time"]), streams, streams == 1 ? "" : "s",
        100 * streams, d["source"].get<std::string>());
  }
}

void print_placement(const Json& placement) {
  std::string where;
  for (const auto& [device, n] : placement["nodes"].items())
    where += fmt::format("{}{} {} nodes", where.empty() ? "" : ", ", device, int64_t(value(n)));
  std::string transfers = placement["transfers"].is_null()
                              ? "transfers unknown without -pc"
                              : fmt::format("{} transfers", int64_t(value(placement["transfers"])));
  fmt::print("  where ops ran     {}; {}\n", where.empty() ? "unknown" : where, transfers);
}

void print_server(const Json& s) {
  if (s.is_null() || !s.contains("target_qps")) return;
  fmt::print("  server scenario   {:.2f} queries/s offered, {:.2f} served; p99 latency {:.2f} ms",
             value(s["target_qps"]), value(s["achieved_qps"]), value(s["p99_latency"]));
  if (s["bound_met"].is_null()) {
    fmt::print(" (no -latency_bound_ms to judge it by)\n");
    return;
  }
  bool met = s["bound_met"].get<bool>();
  fmt::print(" {} the {:.2f} ms bound: {}\n", met ? "within" : "over", value(s["latency_bound"]),
             met ? "met" : "NOT met");
}

}  // namespace

Json quantity(double value, const char* unit) { return {{"value", value}, {"unit", unit}}; }

CpuTimes CpuTimes::now() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3; };
  return {ms(usage.ru_utime), ms(usage.ru_stime), Clock::now()};
}

double peak_memory_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss);  // KiB on Linux
}

Json execution_json(const Measurement& m, const CompiledModel& compiled, const Model& model) {
  int64_t iterations = m.collector.completed();
  if (iterations == 0) throw Error(ErrorKind::Runtime, "bench: no run completed");
  double wall_ms = duration_ms(m);
  double user_ms = m.cpu_after.user_ms - m.cpu_before.user_ms;
  double system_ms = m.cpu_after.system_ms - m.cpu_before.system_ms;
  int cores = usable_cores();
  double fps = wall_ms > 0 ? double(iterations) * m.batch * 1e3 / wall_ms : 0;
  // Over the time the CPU times cover: a little longer than the runs themselves.
  double cpu_wall_ms = ms_between(m.cpu_before.when, m.cpu_after.when);
  double utilisation = cpu_wall_ms > 0 ? 100 * (user_ms + system_ms) / (cpu_wall_ms * cores) : 0;
  return {{"iterations", quantity(double(iterations), "iterations")},
          {"duration", quantity(wall_ms, "ms")},
          {"throughput", quantity(fps, "FPS")},
          {"latency", latency_json(m)},
          {"cpu_utilisation", quantity(utilisation, "%")},
          {"cpu_time", {{"user", quantity(user_ms, "ms")}, {"system", quantity(system_ms, "ms")}}},
          {"cores", cores},
          {"devices", devices_json(m, compiled)},
          {"placement", placement_json(m, compiled, model)}};
}

Json scenario_json(const std::string& scenario, const Measurement& m, double latency_bound_ms) {
  Json s = {{"name", scenario}};
  if (m.plan.pacing != Pacing::Poisson) return s;
  std::vector<double> sorted = m.collector.latencies_ms();
  std::sort(sorted.begin(), sorted.end());
  double p99 = percentile(sorted, 99);
  double wall_ms = duration_ms(m);
  bool judged = latency_bound_ms > 0;
  s["target_qps"] = quantity(m.plan.rate, "qps");
  s["achieved_qps"] = quantity(wall_ms > 0 ? double(sorted.size()) * 1e3 / wall_ms : 0, "qps");
  s["queries"] = quantity(double(sorted.size()), "queries");
  s["p99_latency"] = quantity(p99, "ms");
  s["latency_bound"] = judged ? quantity(latency_bound_ms, "ms") : Json();
  s["bound_met"] = judged ? Json(p99 <= latency_bound_ms) : Json();
  return s;
}

Json counters_json(const CounterTable& table, const std::string& sort, int64_t iterations) {
  std::vector<NodeCounter> rows = table.counters();
  auto by_time = [](const NodeCounter& a, const NodeCounter& b) { return a.total_ms > b.total_ms; };
  auto by_order = [](const NodeCounter& a, const NodeCounter& b) { return a.order < b.order; };
  if (sort == "sort")
    std::stable_sort(rows.begin(), rows.end(), by_time);
  else  // no_sort and simple_sort: execution order (every record is of an executed node)
    std::stable_sort(rows.begin(), rows.end(), by_order);
  double total = 0;
  for (const NodeCounter& c : rows) total += c.total_ms;
  Json nodes = Json::array();
  for (const NodeCounter& c : rows)
    nodes.push_back({{"node", c.name},
                     {"op", c.op},
                     {"implementation", c.implementation},
                     {"device", c.device},
                     {"runs", quantity(double(c.runs), "runs")},
                     {"total_time", quantity(c.total_ms, "ms")},
                     {"average_time", quantity(c.runs ? c.total_ms / double(c.runs) : 0, "ms")},
                     {"share", quantity(total > 0 ? 100 * c.total_ms / total : 0, "%")}});
  return {{"sort", sort},
          {"iterations", quantity(double(iterations), "iterations")},
          {"time_per_iteration", quantity(iterations ? total / double(iterations) : 0, "ms")},
          {"nodes", nodes}};
}

void print_counters(const Json& counters) {
  constexpr size_t kNameWidth = 40, kImplementationWidth = 32;
  size_t name_width = 4, op_width = 2, impl_width = 14;
  for (const Json& c : counters["nodes"]) {
    name_width = std::max(name_width, std::min(c["node"].get<std::string>().size(), kNameWidth));
    op_width = std::max(op_width, c["op"].get<std::string>().size());
    impl_width = std::max(
        impl_width, std::min(c["implementation"].get<std::string>().size(), kImplementationWidth));
  }
  fmt::print("  per-node counters, {} iterations\n", int64_t(value(counters["iterations"])));
  fmt::print("  {:<{}}  {:<{}}  {:<{}}  {:<6}  {:>10}  {:>6}\n", "node", name_width, "op", op_width,
             "implementation", impl_width, "device", "avg ms", "share");
  for (const Json& c : counters["nodes"]) {
    std::string name = c["node"].get<std::string>();
    fmt::print("  {:<{}}  {:<{}}  {:<{}}  {:<6}  {:>10.3f}  {:>5.1f}%\n",
               truncate(name.empty() ? "(unnamed)" : name, kNameWidth), name_width,
               c["op"].get<std::string>(), op_width,
               truncate(c["implementation"].get<std::string>(), kImplementationWidth), impl_width,
               c["device"].get<std::string>(), value(c["average_time"]), value(c["share"]));
  }
  fmt::print("  total per iteration: {:.3f} ms\n", value(counters["time_per_iteration"]));
}

void print_summary(const Json& report) {
  const Json& t = report["timings"];
  fmt::print("  read model        {:10.2f} ms\n", value(t["read_model"]));
  if (!t["reshape_model"].is_null())
    fmt::print("  reshape model     {:10.2f} ms\n", value(t["reshape_model"]));
  fmt::print("  compile model     {:10.2f} ms\n", value(t["compile_model"]));
  if (!t["first_inference"].is_null())
    fmt::print("  first inference   {:10.2f} ms\n", value(t["first_inference"]));
  const Json& e = report["execution"];
  fmt::print("  iterations        {:10}\n", int64_t(value(e["iterations"])));
  fmt::print("  duration          {:10.2f} ms\n", value(e["duration"]));
  fmt::print("  latency\n");
  for (const auto& [name, q] : e["latency"].items())
    fmt::print("    {:<14}  {:10.2f} ms\n", name, value(q));
  fmt::print("  throughput        {:10.2f} FPS (batch {})\n", value(e["throughput"]),
             report["model"]["batch"].get<int>());
  fmt::print("  CPU utilisation   {:10.1f} % of {} cores (user {:.0f} ms, system {:.0f} ms)\n",
             value(e["cpu_utilisation"]), e["cores"].get<int>(), value(e["cpu_time"]["user"]),
             value(e["cpu_time"]["system"]));
  print_devices(e, report["configuration"]["requests"].get<int>());
  print_placement(e["placement"]);
  print_server(report["scenario"]);
}

}  // namespace tandem::cli::bench
