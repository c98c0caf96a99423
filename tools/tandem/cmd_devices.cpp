// tandem devices: every device built in, present or not, best first; --diagnose explains each
// one check by check, with the fix for what is missing.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "commands.h"

namespace tandem::cli {
namespace {

std::string first_failure(const DeviceDescription& device) {
  for (const DeviceCheck& check : device.checks)
    if (!check.ok) return check.found;
  return {};
}

void print_device(const DeviceDescription& device) {
  fmt::print("{}  {}\n", device.name, device.full_name);
  const std::string indent(device.name.size() + 2, ' ');
  auto row = [&](const char* label, const std::string& value) {
    fmt::print("{}{:<16}{}\n", indent, label, value);
  };
  row("available", device.available ? "yes" : "no: " + first_failure(device));
  row("virtual", device.is_virtual ? "yes: a software device, not acceleration" : "no");
  row("precisions", fmt::format("{}", fmt::join(device.precisions, ", ")));
  row("dynamic shapes",
      device.dynamic_shapes ? "yes" : "no: reshape a model to static shapes first");
  row("memory", device.memory);
}

void print_diagnosis(const DeviceDescription& device) {
  fmt::print("{}  {}: {}\n", device.name, device.full_name,
             device.available ? "available" : "unavailable");
  for (const DeviceCheck& check : device.checks) {
    fmt::print("  {} {}\n", check.ok ? "✓" : "✗", check.what);
    fmt::print("      found  {}\n", check.found);
    if (!check.ok) fmt::print("      fix    {}\n", check.fix);
  }
}

}  // namespace

void add_devices_command(CLI::App& app, DevicesOptions& options) {
  CLI::App* cmd =
      app.add_subcommand("devices", "List every device built in, best first, present or not");
  cmd->add_option("names", options.names, "Devices to show (default: all), e.g. NPU GPU");
  cmd->add_flag("--diagnose", options.diagnose,
                "Explain each device: every check, what was found, the fix");
}

int run_devices(const DevicesOptions& options) {
  Core core;
  std::vector<DeviceDescription> devices;
  if (options.names.empty()) {
    devices = core.devices();
  } else {
    for (const std::string& name : options.names) devices.push_back(core.device(name));
  }
  std::vector<std::string> available, absent;
  for (const DeviceDescription& device : devices) {
    if (&device != &devices.front()) fmt::print("\n");
    options.diagnose ? print_diagnosis(device) : print_device(device);
    (device.available ? available : absent).push_back(device.name);
  }
  fmt::print("\n{} of {} available{}{}\n", available.size(), devices.size(),
             available.empty() ? "" : fmt::format(": {}", fmt::join(available, ", ")),
             absent.empty() || options.diagnose
                 ? ""
                 : fmt::format("; `tandem devices --diagnose` says why {} {} not",
                               fmt::join(absent, ", "), absent.size() == 1 ? "is" : "are"));
  return 0;
}

}  // namespace tandem::cli
