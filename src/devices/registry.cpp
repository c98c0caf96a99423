// The list of built-in devices: one line per device, the CPU last because it runs every op.
#include "devices/registry.h"

#include <string>
#include <utility>

#include "devices/cpu/device.h"
#include "devices/gpu/device.h"
#include "devices/npu/device.h"
#include "devices/vnpu/device.h"

namespace tandem::devices {

const std::vector<const Device*>& all_devices() {
  static const std::vector<const Device*> devices = {
      &npu::npu_device(),
      &gpu::gpu_device(),
      &vnpu::vnpu_device(),
      &cpu::cpu_device(),
  };
  return devices;
}

const Device* find_device(std::string_view name) {
  // Names read once: info() builds its whole answer, and runs look devices up by name.
  static const std::vector<std::pair<std::string, const Device*>> named = [] {
    std::vector<std::pair<std::string, const Device*>> all;
    for (const Device* device : all_devices()) all.emplace_back(device->info().name, device);
    return all;
  }();
  for (const auto& [device_name, device] : named)
    if (device_name == name) return device;
  return nullptr;
}

}  // namespace tandem::devices
