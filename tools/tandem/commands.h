// The tandem command's subcommands and the few helpers they share.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tandem/tandem.h"

namespace CLI {
class App;
}

namespace tandem::cli {

/// Process exit codes: one per error kind, so scripts can tell a bad model from a bad device.
inline constexpr int kExitOther = 1;
int exit_code(ErrorKind kind);

struct InfoOptions {
  std::string model;
};

struct RunOptions {
  std::string model;
  std::string device = "CPU";
  std::vector<std::string> inputs;      // NAME=FILE, or FILE for a model with one input
  std::vector<std::string> shapes;      // NAME=1,3,224,224 for dynamic dimensions
  std::vector<std::string> properties;  // KEY=VALUE, passed to compile_model
  std::string output_dir;
  uint64_t seed = 1;
  int top_k = 5;
};

void add_info_command(CLI::App& app, InfoOptions& options);
void add_run_command(CLI::App& app, RunOptions& options);
void add_devices_command(CLI::App& app);

int run_info(const InfoOptions& options);
int run_run(const RunOptions& options);
int run_devices();

/// Splits "KEY=VALUE" at the first '='; throws InvalidArgument naming what (e.g. "--input").
std::pair<std::string, std::string> split_assignment(const std::string& text, const char* what);

}  // namespace tandem::cli
