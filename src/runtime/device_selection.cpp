// Device strings: plain devices, HETERO's priority lists, AUTO's choice.
#include "runtime/device_selection.h"

#include <fmt/format.h>

#include <sstream>

#include "devices/registry.h"
#include "runtime/device_errors.h"

namespace tandem::runtime {
namespace {

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');)
    if (!name.empty()) names.push_back(name);
  return names;
}

std::string known_devices() {
  std::vector<std::string> names;
  for (const devices::Device* d : devices::all_devices()) names.push_back(d->info().name);
  return fmt::format("{}", fmt::join(names, ", "));
}

const devices::Device& present(const std::string& name, const std::string& asked) {
  return present_device(name, fmt::format("compile_model: '{}' names no device '{}'", asked, name),
                        ", HETERO:<devices> and AUTO[:<devices>]");
}

// An accelerator on its own falls back to the CPU, as HETERO:<it>,CPU.
DeviceChoice with_cpu_fallback(const devices::Device& device) {
  if (device.info().name == "CPU") return {{&device}, false, {}};
  return {{&device, devices::find_device("CPU")}, true, {}};
}

DeviceChoice choose_auto(const std::vector<std::string>& listed, const std::string& asked) {
  std::vector<std::string> skipped;
  std::vector<const devices::Device*> candidates;
  if (listed.empty()) {
    for (const devices::Device* d : devices::all_devices())
      if (!d->info().is_virtual) candidates.push_back(d);
  } else {
    for (const std::string& name : listed) {
      const devices::Device* d = devices::find_device(name);
      if (!d)
        throw Error(ErrorKind::InvalidArgument, fmt::format("compile_model: '{}' names no device '{}'; tandem knows {}",
                                                            asked, name, known_devices()));
      candidates.push_back(d);
    }
  }
  for (const devices::Device* d : candidates) {
    devices::Diagnosis diagnosis = d->diagnose();
    if (!diagnosis.available()) {
      skipped.push_back(diagnosis.device());
      continue;
    }
    DeviceChoice choice = with_cpu_fallback(*d);
    choice.note = skipped.empty() ? fmt::format("AUTO chose {}", d->info().name)
                                  : fmt::format("AUTO chose {} ({} absent: tandem devices --diagnose says why)",
                                                d->info().name, fmt::join(skipped, ", "));
    return choice;
  }
  throw Error(ErrorKind::DeviceUnavailable,
              fmt::format("compile_model: AUTO found none of {} present (tandem devices --diagnose says why)",
                          fmt::join(skipped, ", ")));
}

}  // namespace

const devices::Device& present_device(const std::string& name, const std::string& unknown,
                                      const std::string& also_known) {
  const devices::Device* device = devices::find_device(name);
  if (!device)
    throw Error(ErrorKind::InvalidArgument, fmt::format("{}; tandem knows {}{}", unknown, known_devices(), also_known));
  if (!device->diagnose().available()) throw device_unavailable_error(*device);
  return *device;
}

DeviceChoice choose_devices(const std::string& device, const CompileConfig& config) {
  const std::string hetero = "HETERO:", automatic = "AUTO";
  if (device.rfind(hetero, 0) == 0) {
    DeviceChoice choice;
    for (const std::string& name : split(device.substr(hetero.size())))
      choice.devices.push_back(&present(name, device));
    if (choice.devices.empty())
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("compile_model: '{}' lists no device; write e.g. HETERO:VNPU,CPU", device));
    return choice;
  }
  if (device == automatic) return choose_auto(split(config.device_priorities), device);
  if (device.rfind(automatic + ":", 0) == 0) return choose_auto(split(device.substr(automatic.size() + 1)), device);
  return with_cpu_fallback(present(device, device));
}

}  // namespace tandem::runtime
