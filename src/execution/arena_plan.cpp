// Greedy placement by size: O(n²) in the blocks, a few hundred for the largest models.
#include "execution/arena_plan.h"

#include <algorithm>
#include <numeric>

namespace tandem::execution {

ArenaPlacement place_blocks(const std::vector<Lifetime>& blocks, size_t alignment) {
  const auto aligned = [alignment](size_t bytes) { return (bytes + alignment - 1) / alignment * alignment; };
  std::vector<size_t> order(blocks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return blocks[a].bytes > blocks[b].bytes; });

  ArenaPlacement placement;
  placement.offsets.assign(blocks.size(), 0);
  std::vector<size_t> placed;  // block indices, by offset
  for (size_t b : order) {
    const Lifetime& block = blocks[b];
    const size_t bytes = aligned(std::max<size_t>(block.bytes, 1));
    // Walk the placed blocks that are alive with this one in offset order; take the first gap.
    size_t offset = 0;
    for (size_t p : placed) {
      const Lifetime& other = blocks[p];
      if (other.last < block.first || block.last < other.first) continue;
      const size_t at = placement.offsets[p];
      if (at >= offset + bytes) break;
      offset = std::max(offset, at + aligned(std::max<size_t>(other.bytes, 1)));
    }
    placement.offsets[b] = offset;
    placement.bytes = std::max(placement.bytes, offset + bytes);
    placed.insert(std::upper_bound(placed.begin(), placed.end(), offset,
                                   [&](size_t at, size_t p) { return at < placement.offsets[p]; }),
                  b);
  }
  return placement;
}

}  // namespace tandem::execution
