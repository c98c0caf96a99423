// The default thread count: one per physical core this process may run on. Two hardware threads
// of one core share its vector units, so a second oneDNN thread there adds contention, not speed.
#pragma once

#include <filesystem>

namespace tandem::runtime {

/// Distinct (package, core) pairs among the CPUs in this process's affinity mask, as
/// `cpu_root`/cpuN/topology describes them. Where the topology cannot be read (no sysfs), the CPUs
/// in the mask; at least 1.
int physical_cores(const std::filesystem::path& cpu_root = "/sys/devices/system/cpu");

}  // namespace tandem::runtime
