// Core::devices and Core::device: the registry's devices described for the public API.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "devices/registry.h"
#include "tandem/core.h"

namespace tandem {
namespace {

DeviceDescription describe(const devices::Device& device) {
  const devices::DeviceInfo info = device.info();
  const devices::Diagnosis diagnosis = device.diagnose();
  DeviceDescription description{.name = info.name,
                                .full_name = info.full_name,
                                .available = diagnosis.available(),
                                .is_virtual = info.is_virtual,
                                .dynamic_shapes = info.dynamic_shapes,
                                .precisions = info.precisions,
                                .memory = info.memory};
  for (const devices::Check& check : diagnosis.checks())
    description.checks.push_back(DeviceCheck{check.what, check.ok, check.found, check.fix});
  return description;
}

}  // namespace

std::vector<DeviceDescription> Core::devices() const {
  std::vector<DeviceDescription> descriptions;
  for (const devices::Device* device : devices::all_devices())
    descriptions.push_back(describe(*device));
  return descriptions;
}

DeviceDescription Core::device(const std::string& name) const {
  if (const devices::Device* device = devices::find_device(name)) return describe(*device);
  std::vector<std::string> known;
  for (const devices::Device* device : devices::all_devices()) known.push_back(device->info().name);
  throw Error(
      ErrorKind::InvalidArgument,
      fmt::format("device: tandem has no device '{}'; it knows {}", name, fmt::join(known, ", ")));
}

}  // namespace tandem
