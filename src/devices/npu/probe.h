// What this machine has of the Intel NPU's driver stack (device nodes, kernel module, Level Zero
// libraries), as facts; diagnosis.cpp judges them.
#pragma once

#include <string>
#include <vector>

namespace tandem::npu {

/// A shared library looked for with dlopen.
struct LibraryProbe {
  std::vector<std::string> names;  // sonames tried, in order
  bool loaded = false;
  std::string detail;  // the path it loaded from, or the dynamic loader's error
};

/// One /dev/accel/accel* node.
struct DeviceNode {
  std::string path;    // "/dev/accel/accel0"
  std::string driver;  // the kernel driver bound to it ("intel_vpu"), empty if sysfs does not say
  bool openable = false;  // this process may open it read-write
  std::string mode;       // "crw-rw----"
  std::string group;      // the group owning it ("render")
};

struct NpuProbe {
  bool accel_dir_exists = false;
  std::vector<DeviceNode> nodes;  // sorted by path
  bool module_loaded = false;
  std::string module_evidence;  // where the module was seen, or where it was looked for
  LibraryProbe level_zero;
  LibraryProbe driver;
};

/// Where probe_npu looks; tests point it at a directory tree of their own.
struct NpuPaths {
  std::string accel_dir = "/dev/accel";
  std::string sys_class_accel = "/sys/class/accel";
  std::string sys_module = "/sys/module";
  std::string proc_modules = "/proc/modules";
  std::vector<std::string> level_zero = {"libze_loader.so.1"};
  std::vector<std::string> driver = {"libze_intel_npu.so", "libze_intel_npu.so.1",
                                     "libze_intel_vpu.so.1"};
};

/// Looks at the machine: the file system and the dynamic loader. Never throws.
NpuProbe probe_npu(const NpuPaths& paths = {});

}  // namespace tandem::npu
