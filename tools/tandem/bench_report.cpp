// The figures of `tandem bench`: its JSON report (docs/bench_report.schema.json), every figure a
// value with its unit, and the summary printed from that same report.
#include "bench_report.h"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <map>
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

// The streams the placement gave `device`; null for a device outside its list.
Json streams_of(const Placement& placement, const std::string& device) {
  for (size_t d = 0; d < placement.devices.size() && d < placement.streams.size(); ++d)
    if (placement.devices[d] == device) return placement.streams[d];
  return nullptr;
}

// What `device` launched per inference during the timed run; null for a device that counts none
// (its kernels run on host threads).
Json launches_json(const Measurement& m, const std::string& device) {
  auto it = m.device_launches.find(device);
  const int64_t iterations = m.collector.completed();
  if (it == m.device_launches.end() || iterations == 0 || (it->second.graphs == 0 && it->second.kernels == 0))
    return nullptr;
  return {{"graphs", quantity(double(it->second.graphs) / double(iterations), "per inference")},
          {"kernels", quantity(double(it->second.kernels) / double(iterations), "per inference")}};
}

// Busy time per device from CompiledModel::device_busy_time(): its stages and their copies, over
// the timed run. A device's may reach its streams x 100% (a worker per stream); its share says how
// much work it got, and two devices busy at once show the pipelining.
Json devices_json(const Measurement& m, const CompiledModel& compiled) {
  double wall_ms = duration_ms(m);
  const Placement& placement = compiled.placement();
  std::vector<std::string> order = placement.devices;
  for (const auto& [device, ms] : m.device_busy_ms)
    if (std::find(order.begin(), order.end(), device) == order.end()) order.push_back(device);
  Json devices = Json::array();
  for (const std::string& device : order) {
    auto it = m.device_busy_ms.find(device);
    if (it == m.device_busy_ms.end()) continue;
    devices.push_back({{"device", device},
                       {"busy_time", quantity(it->second, "ms")},
                       {"busy", quantity(wall_ms > 0 ? 100 * it->second / wall_ms : 0, "%")},
                       {"streams", streams_of(placement, device)},
                       {"launches", launches_json(m, device)}});
  }
  return devices;
}

// Where the compiled model runs (CompiledModel::placement): nodes and subgraphs per device, the
// nodes folded at compile time, and the copies between memories each inference makes.
// The copies a run makes: the placement's, less those at the model's boundary where the inputs and
// outputs are in the memory of the device that reads or computes them (-use_device_mem).
std::vector<PlacedTransfer> transfers_made(const CompiledModel& compiled, bool device_memory) {
  const Placement& placement = compiled.placement();
  const std::string& memory = placement.devices.front();
  const auto is_port = [](const std::vector<Port>& ports, const std::string& name) {
    return std::any_of(ports.begin(), ports.end(), [&](const Port& port) { return port.name == name; });
  };
  std::vector<PlacedTransfer> made;
  for (const PlacedTransfer& t : placement.transfers) {
    const bool saved = device_memory && ((t.to == memory && is_port(compiled.inputs(), t.value)) ||
                                         (t.from == memory && is_port(compiled.outputs(), t.value)));
    if (!saved) made.push_back(t);
  }
  return made;
}

Json placement_json(const CompiledModel& compiled, bool device_memory) {
  const Placement& placement = compiled.placement();
  std::map<std::string, int64_t> nodes, subgraphs;
  int64_t folded = 0;
  for (const PlacedNode& node : placement.nodes) {
    if (node.folded)
      ++folded;
    else
      ++nodes[node.device];
  }
  for (const PlacedSubgraph& subgraph : placement.subgraphs) ++subgraphs[subgraph.device];
  const std::vector<PlacedTransfer> transfers = transfers_made(compiled, device_memory);
  size_t bytes = 0;
  for (const PlacedTransfer& transfer : transfers) bytes += transfer.bytes;
  Json per_device = Json::object();
  for (const std::string& device : placement.devices) {
    if (!nodes.contains(device)) continue;
    per_device[device] = {{"nodes", quantity(double(nodes[device]), "nodes")},
                          {"subgraphs", quantity(double(subgraphs[device]), "subgraphs")}};
  }
  return {{"summary", placement.summary()},
          {"devices", per_device},
          {"folded", quantity(double(folded), "nodes")},
          {"transfers", quantity(double(transfers.size()), "transfers")},
          {"transfer_bytes", quantity(double(bytes), "bytes")}};
}

double value(const Json& quantity) { return quantity["value"].get<double>(); }

std::string truncate(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

void print_devices(const Json& execution) {
  for (const Json& d : execution["devices"]) {
    std::string streams =
        d["streams"].is_null()
            ? ""
            : fmt::format(" over {} stream{}, up to {}%", d["streams"].get<int>(),
                          d["streams"].get<int>() == 1 ? "" : "s", 100 * d["streams"].get<int>());
    fmt::print("  {:<17} {:10.1f} % of the wall time ({:.1f} ms{})\n",
               d["device"].get<std::string>() + " busy", value(d["busy"]), value(d["busy_time"]),
               streams);
    // A static model on the GPU: 1.00 graph and 0.00 kernels, unless profiled or capture failed.
    if (const Json& launches = d["launches"]; !launches.is_null())
      fmt::print("  {:<17} {:10.2f} graphs and {:.2f} kernels launched one by one, per inference\n",
                 d["device"].get<std::string>() + " launches", value(launches["graphs"]),
                 value(launches["kernels"]));
  }
}

void print_placement(const Json& placement) {
  fmt::print("  placement         {}\n", placement["summary"].get<std::string>());
  fmt::print("  transfers         {:.0f} per inference, {:.0f} bytes\n",
             value(placement["transfers"]), value(placement["transfer_bytes"]));
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

std::map<std::string, double> busy_between(
    const std::map<std::string, std::chrono::microseconds>& before,
    const std::map<std::string, std::chrono::microseconds>& after) {
  std::map<std::string, double> busy;
  for (const auto& [device, t] : after) {
    auto it = before.find(device);
    auto since = it == before.end() ? t : t - it->second;
    busy[device] = std::chrono::duration<double, std::milli>(since).count();
  }
  return busy;
}

std::map<std::string, DeviceLaunches> launches_between(const std::map<std::string, DeviceLaunches>& before,
                                                       const std::map<std::string, DeviceLaunches>& after) {
  std::map<std::string, DeviceLaunches> launches;
  for (const auto& [device, counted] : after) {
    auto it = before.find(device);
    const DeviceLaunches earlier = it == before.end() ? DeviceLaunches{} : it->second;
    launches[device] = {counted.graphs - earlier.graphs, counted.kernels - earlier.kernels};
  }
  return launches;
}

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

Json execution_json(const Measurement& m, const CompiledModel& compiled) {
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
          {"placement", placement_json(compiled, m.device_memory)}};
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
  print_devices(e);
  print_placement(e["placement"]);
  print_server(report["scenario"]);
}

}  // namespace tandem::cli::bench
