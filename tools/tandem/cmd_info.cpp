// tandem info: what a model declares (inputs, outputs, opsets, producer) and the ops it uses.
#include "commands.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace tandem::cli {
namespace {

size_t name_width(const std::vector<Port>& ports) {
  size_t width = 0;
  for (const Port& port : ports) width = std::max(width, port.name.size());
  return width;
}

void print_ports(const char* title, const std::vector<Port>& ports) {
  fmt::print("{} ({})\n", title, ports.size());
  size_t width = name_width(ports);
  for (const Port& port : ports)
    fmt::print("  {:<{}}  {}\n", port.name, width, to_string(port.type));
}

}  // namespace

void add_info_command(CLI::App& app, InfoOptions& options) {
  CLI::App* cmd = app.add_subcommand("info", "Show a model's inputs, outputs, opsets and ops");
  cmd->add_option("model", options.model, "ONNX model file")->required();
}

int run_info(const InfoOptions& options) {
  Core core;
  Model model = core.read_model(options.model);
  fmt::print("model     {}\n", model.path().empty() ? options.model : model.path());
  fmt::print("producer  {}\n", model.producer().empty() ? "(none)" : model.producer());
  std::string opsets;
  for (const auto& [domain, version] : model.opsets())
    opsets += fmt::format("{}{} {}", opsets.empty() ? "" : ", ",
                          domain.empty() ? "ai.onnx" : domain, version);
  fmt::print("opsets    {}\n", opsets);
  print_ports("inputs", model.inputs());
  print_ports("outputs", model.outputs());

  // Most frequent first, so the ops that matter for speed lead the list.
  auto histogram = model.op_histogram();
  std::vector<std::pair<std::string, int>> ops(histogram.begin(), histogram.end());
  std::stable_sort(ops.begin(), ops.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  fmt::print("nodes     {} ({} op types)\n", model.node_count(), ops.size());
  size_t width = 0;
  for (const auto& op : ops) width = std::max(width, op.first.size());
  for (const auto& [op, count] : ops) fmt::print("  {:<{}}  {:>6}\n", op, width, count);
  return 0;
}

}  // namespace tandem::cli
