// What tandem knows about a device: who it is, what it can do, and why it is present or absent.
#pragma once

#include <string>
#include <vector>

namespace tandem {

/// One check of a device's diagnosis, e.g. "the intel_vpu kernel module loaded".
struct DeviceCheck {
  std::string what;   // what was looked for
  bool ok = false;    // whether it was found
  std::string found;  // what was seen: a path, a version, or the error the system gave
  std::string fix;    // what a user should do; meaningful only when !ok
};

/// A device built into tandem, present on this machine or not.
struct DeviceDescription {
  std::string name;            // what compile_model takes: "CPU", "NPU", "GPU", "VNPU"
  std::string full_name;       // "Intel(R) Xeon(R) Processor (2 threads)", "Intel NPU (Level Zero)"
  bool available = false;      // every check passed: compile_model may use it
  bool is_virtual = false;     // a software stand-in for hardware, never acceleration
  bool dynamic_shapes = true;  // false: a model must have static shapes (reshape it first)
  std::vector<std::string> precisions;  // "f32", "f16", "int8", ...
  std::string memory;                   // "host memory", or the device's own
  std::vector<DeviceCheck> checks;      // the diagnosis, most basic check first
};

}  // namespace tandem
