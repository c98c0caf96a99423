// The list of built-in devices: one line per device, the CPU last because it runs every op.
#include "devices/registry.h"

#include "devices/cpu/device.h"

namespace tandem::devices {

const std::vector<const Device*>& all_devices() {
  static const std::vector<const Device*> devices = {
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
