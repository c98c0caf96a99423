// tandem info: what a model declares (inputs, outputs, opsets, producer) and the ops it uses.
#include "commands.h"
#include "inputs.h"

#include <algorithm>
#include <fstream>
#include <map>
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

// Where a compile for `device` puts each node: the summary, the subgraphs, the nodes off the first
// device with the reason, and the copies.
void print_placement(const Placement& placement) {
  fmt::print("placement {}\n", placement.summary());
  fmt::print("subgraphs ({})\n", placement.subgraphs.size());
  for (size_t i = 0; i < placement.subgraphs.size(); ++i)
    fmt::print("  {:>3}  {:<6} {} nodes\n", i, placement.subgraphs[i].device, placement.subgraphs[i].nodes);
  const std::string& first = placement.devices.front();
  size_t width = 0;
  for (const PlacedNode& node : placement.nodes) width = std::max(width, node.name.size() + node.op.size() + 3);
  bool header = false;
  for (const PlacedNode& node : placement.nodes) {
    if (node.device == first || node.folded) continue;
    if (!header) fmt::print("fallback (nodes not on {})\n", first), header = true;
    fmt::print("  {:<{}}  {:<6} {}\n", fmt::format("{} ({})", node.name, node.op), width, node.device, node.reason);
  }
  if (placement.transfers.empty()) return;
  fmt::print("transfers ({} per inference)\n", placement.transfers.size());
  for (const PlacedTransfer& t : placement.transfers)
    fmt::print("  {} {} -> {}  {} bytes\n", t.value, t.from, t.to, t.bytes);
}

}  // namespace

void add_info_command(CLI::App& app, InfoOptions& options) {
  CLI::App* cmd = app.add_subcommand("info", "Show a model's inputs, outputs, opsets and ops, and where a device runs them");
  cmd->add_option("model", options.model, "ONNX model file")->required();
  cmd->add_option("-d,--device", options.device,
                  "Also show the placement a compile for this device produces (VNPU, HETERO:VNPU,CPU, AUTO)");
  cmd->add_option("-s,--shape", options.shapes, "NAME=1,3,224,224: reshape an input first (static-only devices)");
  cmd->add_option("--dot", options.dot_path, "Write the placement as a Graphviz DOT file, coloured by device");
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

  if (options.device.empty()) return 0;
  if (!options.shapes.empty()) {
    std::map<std::string, PartialShape> shapes;
    for (const auto& [name, shape] : parse_shapes(options.shapes, model.inputs())) shapes[name] = PartialShape(shape);
    model = model.reshape(shapes);
  }
  CompiledModel compiled = core.compile_model(model, options.device);
  print_placement(compiled.placement());
  if (!options.dot_path.empty()) {
    std::ofstream dot(options.dot_path);
    dot << compiled.placement().to_dot();
    if (!dot) throw Error(ErrorKind::InvalidArgument, fmt::format("--dot: cannot write {}", options.dot_path));
    fmt::print("placement written to {} (render: dot -Tsvg {} -o placement.svg)\n", options.dot_path, options.dot_path);
  }
  return 0;
}

}  // namespace tandem::cli
