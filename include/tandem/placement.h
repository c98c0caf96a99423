// Placement: where each node of a compiled model runs, its subgraphs per device, and the copies
// between devices. Fallback is never silent: this is what reports it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tandem {

struct PlacedNode {
  std::string name;
  std::string op;
  std::string device;  // "VNPU", "CPU"; for a folded node the first device, whose executables hold its result
  bool folded = false;  // a constant, computed once at compile time and not run per inference
  std::string reason;   // why the devices before `device` declined it; empty if none did
  std::vector<std::string> inputs, outputs;
  std::string fused_into;  // the node that computes its result now (graph passes), or empty
};

/// A maximal run of consecutive nodes on one device, compiled as one executable.
struct PlacedSubgraph {
  std::string device;
  size_t nodes = 0;
};

/// A copy per inference between host memory and a device's memory.
struct PlacedTransfer {
  std::string value;
  std::string from, to;  // "host" or a device
  size_t bytes = 0;
};

struct Placement {
  std::vector<std::string> devices;  // the priority list the model was compiled for
  std::vector<int> streams;          // requests each of those devices runs at once
  std::string note;                  // how the list was chosen (AUTO says why), or empty
  std::vector<PlacedNode> nodes;     // every node of the model's main graph as read, in order
  std::vector<PlacedSubgraph> subgraphs;
  std::vector<PlacedTransfer> transfers;

  /// One line: "412 nodes on VNPU in 3 subgraphs, 9 on CPU: NonMaxSuppression×1, TopK×2; 6 transfers, 1.2 MiB per inference".
  std::string summary() const;
  /// A Graphviz DOT graph of the nodes, filled with a colour per device.
  std::string to_dot() const;
};

}  // namespace tandem
