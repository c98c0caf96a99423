// tandem devices: the devices present on this machine, in priority order.
#include "commands.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace tandem::cli {

void add_devices_command(CLI::App& app) {
  app.add_subcommand("devices", "List the devices present, best first");
}

int run_devices() {
  Core core;
  for (const std::string& device : core.available_devices()) fmt::print("{}\n", device);
  return 0;
}

}  // namespace tandem::cli
