// The default thread count: physical cores in the affinity mask, read from a sysfs-like tree.
#include "runtime/physical_cores.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

namespace tandem::runtime {
namespace {

namespace fs = std::filesystem;

std::vector<int> allowed_cpus() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  EXPECT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &mask)) cpus.push_back(cpu);
  return cpus;
}

// A tree where CPUs 2k and 2k+1 are the two hardware threads of core k.
fs::path two_threads_per_core(const std::vector<int>& cpus) {
  const fs::path root = fs::path(testing::TempDir()) / "tandem_cpu_topology";
  fs::remove_all(root);
  for (int cpu : cpus) {
    const fs::path topology = root / ("cpu" + std::to_string(cpu)) / "topology";
    fs::create_directories(topology);
    std::ofstream(topology / "physical_package_id") << 0 << "\n";
    std::ofstream(topology / "core_id") << cpu / 2 << "\n";
  }
  return root;
}

TEST(PhysicalCores, CountsTheCoresOfTheCpusThisProcessMayUse) {
  const std::vector<int> cpus = allowed_cpus();
  std::set<int> cores;
  for (int cpu : cpus) cores.insert(cpu / 2);
  EXPECT_EQ(physical_cores(two_threads_per_core(cpus)), int(cores.size()));
}

TEST(PhysicalCores, WithoutATopologyCountsTheCpus) {
  EXPECT_EQ(physical_cores(fs::path(testing::TempDir()) / "no_such_directory"), int(allowed_cpus().size()));
}

TEST(PhysicalCores, TheMachinesOwnIsBetweenOneAndItsHardwareThreads) {
  const int cores = physical_cores();
  EXPECT_GE(cores, 1);
  EXPECT_LE(cores, int(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace tandem::runtime
