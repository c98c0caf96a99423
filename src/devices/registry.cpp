// The list of built-in devices: one line per device, the CPU last because it runs every op.
#include "devices/registry.h"

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
  for (const Device* device : all_devices())
    if (device->info().name == name) return device;
  return nullptr;
}

}  // namespace tandem::devices
