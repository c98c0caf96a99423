// The placement report's one-line summary and its Graphviz form.
#include "tandem/placement.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace tandem {
namespace {

std::string mebibytes(size_t bytes) {
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024.0));
}

// Node names may hold quotes; DOT labels may not.
std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string plural(size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

}  // namespace

std::string Placement::summary() const {
  std::map<std::string, size_t> runs, subgraph_count;
  std::map<std::string, std::map<std::string, int>> ops;
  size_t folded = 0, fused = 0;
  for (const PlacedNode& node : nodes) {
    if (node.folded || !node.fused_into.empty()) {
      ++(node.folded ? folded : fused);
      continue;
    }
    ++runs[node.device];
    ++ops[node.device][node.op];
  }
  for (const PlacedSubgraph& s : subgraphs) ++subgraph_count[s.device];
  std::vector<std::string> parts;
  for (size_t i = 0; i < devices.size(); ++i) {
    const std::string& device = devices[i];
    if (!runs.contains(device)) continue;
    std::string part = fmt::format("{} on {}", plural(runs[device], "node"), device);
    if (subgraph_count[device] > 1 || i == 0) part += fmt::format(" in {}", plural(subgraph_count[device], "subgraph"));
    if (i > 0) {
      std::vector<std::string> histogram;
      for (const auto& [op, count] : ops[device]) histogram.push_back(fmt::format("{}×{}", op, count));
      part += ": " + fmt::format("{}", fmt::join(histogram, ", "));
    }
    parts.push_back(std::move(part));
  }
  std::string line = parts.empty() ? "no node runs per inference" : fmt::format("{}", fmt::join(parts, ", "));
  std::vector<std::string> not_run;
  if (fused) not_run.push_back(fmt::format("{} fused into others", fused));
  if (folded) not_run.push_back(fmt::format("{} folded at compile time", folded));
  if (!not_run.empty()) line += fmt::format(" ({})", fmt::join(not_run, ", "));
  size_t bytes = 0;
  for (const PlacedTransfer& t : transfers) bytes += t.bytes;
  line += transfers.empty() ? "; no transfers"
                            : fmt::format("; {}, {} per inference", plural(transfers.size(), "transfer"), mebibytes(bytes));
  return note.empty() ? line : note + ": " + line;
}

std::string Placement::to_dot() const {
  static const char* kColours[] = {"#8ecae6", "#ffb703", "#90be6d", "#f28482", "#cdb4db"};
  std::map<std::string, std::string> colour;
  for (size_t i = 0; i < devices.size(); ++i) colour[devices[i]] = kColours[i % std::size(kColours)];
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& output : nodes[i].outputs) producer[output] = i;

  std::string dot = "digraph placement {\n  node [shape=box, style=filled, fontname=\"Helvetica\"];\n";
  for (size_t i = 0; i < devices.size(); ++i)
    dot += fmt::format("  legend{} [label=\"{}\", fillcolor=\"{}\", shape=note];\n", i, devices[i], colour[devices[i]]);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const PlacedNode& n = nodes[i];
    const std::string remark = n.folded ? "\\n(folded)" : n.fused_into.empty() ? "" : "\\n(fused into " + escaped(n.fused_into) + ")";
    dot += fmt::format("  n{} [label=\"{}\\n{}{}\", fillcolor=\"{}\"{}];\n", i, escaped(n.op), escaped(n.name), remark, colour.contains(n.device) ? colour[n.device] : "#dddddd",
                       n.folded || !n.fused_into.empty() ? ", style=\"filled,dashed\"" : "");
  }
  std::set<std::pair<size_t, size_t>> edges;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& input : nodes[i].inputs)
      if (auto it = producer.find(input); it != producer.end() && edges.emplace(it->second, i).second)
        dot += fmt::format("  n{} -> n{};\n", it->second, i);
  return dot + "}\n";
}

}  // namespace tandem
