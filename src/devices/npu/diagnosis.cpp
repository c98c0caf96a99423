// Each fact of the NPU probe becomes a check; a failed one carries the fix, in the order a user
// would apply them (hardware and kernel first, then permission, then user-space libraries).
#include "devices/npu/diagnosis.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tandem::npu {
namespace {

// Other accelerators (Habana Gaudi, AMD XDNA) use /dev/accel too; only intel_vpu's nodes count. A
// node whose driver sysfs does not name is given the benefit of the doubt.
bool is_intel_npu(const DeviceNode& node) {
  return node.driver.empty() || node.driver == "intel_vpu";
}

std::string describe(const DeviceNode& node) {
  return node.driver.empty() ? node.path : fmt::format("{} (driver {})", node.path, node.driver);
}

void check_device_node(devices::Diagnosis& d, const NpuProbe& probe) {
  std::vector<std::string> seen;
  bool intel = false;
  for (const DeviceNode& node : probe.nodes) {
    seen.push_back(describe(node));
    intel = intel || is_intel_npu(node);
  }
  std::string found = !probe.accel_dir_exists
                          ? "no /dev/accel directory: the kernel exposes no accelerator"
                      : seen.empty() ? "/dev/accel holds no accel* node"
                                     : fmt::format("{}", fmt::join(seen, ", "));
  if (!seen.empty() && !intel) found += ": none is driven by intel_vpu";
  d.check("an Intel NPU device node (/dev/accel/accel*)", intel, std::move(found),
          "an Intel NPU comes with Core Ultra (Meteor Lake or newer) processors; on one, install "
          "the Intel NPU driver (github.com/intel/linux-npu-driver) and reboot; in a container, "
          "pass the node in with --device /dev/accel/accel0");
}

void check_module(devices::Diagnosis& d, const NpuProbe& probe) {
  d.check("the intel_vpu kernel module loaded", probe.module_loaded, probe.module_evidence,
          "sudo modprobe intel_vpu (in Linux since 6.3); if modprobe finds no such module, use a "
          "newer kernel or install the Intel NPU driver");
}

void check_permission(devices::Diagnosis& d, const NpuProbe& probe) {
  const DeviceNode* openable = nullptr;
  const DeviceNode* refused = nullptr;
  for (const DeviceNode& node : probe.nodes) {
    if (!is_intel_npu(node)) continue;
    if (node.openable) {
      openable = &node;
      break;
    }
    if (!refused) refused = &node;
  }
  std::string found =
      openable  ? fmt::format("{} may be opened read-write", openable->path)
      : refused ? fmt::format("{} ({}, group {}) may not be opened read-write by this user",
                              refused->path, refused->mode, refused->group)
                : std::string("no Intel NPU device node to open");
  const std::string group =
      refused && !refused->group.empty() && refused->group != "root" ? refused->group : "render";
  d.check("permission to open the device node", openable != nullptr, std::move(found),
          fmt::format("add the user to the {} group (sudo usermod -aG {} $USER) and log in again",
                      group, group));
}

void check_library(devices::Diagnosis& d, const std::string& what, const LibraryProbe& library,
                   std::string fix) {
  d.check(what, library.loaded, library.loaded ? "loaded " + library.detail : library.detail,
          std::move(fix));
}

}  // namespace

devices::Diagnosis diagnose(const NpuProbe& probe) {
  devices::Diagnosis d("NPU");
  check_device_node(d, probe);
  check_module(d, probe);
  check_permission(d, probe);
  check_library(d, "the Level Zero loader (libze_loader.so.1)", probe.level_zero,
                "install the Level Zero loader: sudo apt install libze1 (Debian 12, Ubuntu 24.04), "
                "or the level-zero package of the Intel NPU driver release");
  check_library(d, "the Intel NPU driver library (libze_intel_npu.so or libze_intel_vpu.so.1)",
                probe.driver,
                "install intel-level-zero-npu from github.com/intel/linux-npu-driver/releases");
  return d;
}

}  // namespace tandem::npu
