// Offsets of a run's intermediate values in one arena, planned from their lifetimes.
#pragma once

#include <cstddef>
#include <vector>

namespace tandem::execution {

/// A block of bytes needed from step `first` (which writes it) through step `last` (the last to
/// read it).
struct Lifetime {
  size_t bytes = 0;
  size_t first = 0, last = 0;
};

struct ArenaPlacement {
  std::vector<size_t> offsets;  // per block, a multiple of the alignment
  size_t bytes = 0;             // the arena's size
};

/// Places `blocks` so that two blocks alive at a common step never share a byte. Largest block
/// first, each at the lowest offset where it fits among those already placed whose lifetimes meet
/// its own: the greedy-by-size heuristic of TensorFlow Lite's and ONNX Runtime's planners, which
/// comes within a few percent of the largest set of values alive at once on CNNs and transformers.
ArenaPlacement place_blocks(const std::vector<Lifetime>& blocks, size_t alignment = 64);

}  // namespace tandem::execution
