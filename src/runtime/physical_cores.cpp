#include "runtime/physical_cores.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace tandem::runtime {
namespace {

std::optional<long> read_number(const std::filesystem::path& file) {
  std::ifstream in(file);
  long value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

}  // namespace

int physical_cores(const std::filesystem::path& cpu_root) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) != 0) return std::max(1, int(std::thread::hardware_concurrency()));
  std::set<std::pair<long, long>> cores;
  int cpus = 0;
  bool topology_known = true;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &mask)) continue;
    ++cpus;
    const std::filesystem::path topology = cpu_root / ("cpu" + std::to_string(cpu)) / "topology";
    const std::optional<long> package = read_number(topology / "physical_package_id");
    const std::optional<long> core = read_number(topology / "core_id");
    if (!package || !core) topology_known = false;
    if (topology_known) cores.emplace(*package, *core);
  }
  return std::max(1, topology_known ? int(cores.size()) : cpus);
}

}  // namespace tandem::runtime
