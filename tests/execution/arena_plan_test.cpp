// The arena planner: blocks alive at a common step never share a byte, blocks that never meet
// share, and the arena stays near the largest set of bytes alive at once.
#include "execution/arena_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace tandem::execution {
namespace {

bool meet(const Lifetime& a, const Lifetime& b) { return !(a.last < b.first || b.last < a.first); }

// The most bytes alive at one step, each block rounded up to the alignment.
size_t peak(const std::vector<Lifetime>& blocks, size_t steps) {
  size_t most = 0;
  for (size_t s = 0; s < steps; ++s) {
    size_t alive = 0;
    for (const Lifetime& b : blocks)
      if (b.first <= s && s <= b.last) alive += (b.bytes + 63) / 64 * 64;
    most = std::max(most, alive);
  }
  return most;
}

TEST(ArenaPlan, AChainReusesTheBytesOfValuesNoLongerRead) {
  // a -> b -> c -> d: each value is read by the next step only, so two buffers serve the chain.
  const std::vector<Lifetime> chain = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  const ArenaPlacement p = place_blocks(chain);
  EXPECT_EQ(p.bytes, 2 * 1024u);
  EXPECT_EQ(p.offsets[0], p.offsets[2]);
  EXPECT_EQ(p.offsets[1], p.offsets[3]);
  EXPECT_NE(p.offsets[0], p.offsets[1]);
}

TEST(ArenaPlan, ASkipConnectionKeepsItsBytesUntilItsLastReader) {
  // x is read at step 3 (a residual add), so nothing written in between may take its bytes.
  const std::vector<Lifetime> blocks = {{4096, 0, 3}, {4096, 1, 2}, {4096, 2, 3}, {4096, 3, 4}};
  const ArenaPlacement p = place_blocks(blocks);
  for (size_t i = 1; i < blocks.size(); ++i) EXPECT_NE(p.offsets[i], p.offsets[0]) << i;
  EXPECT_EQ(p.bytes, 3 * 4096u);
}

TEST(ArenaPlan, RandomLifetimesNeverOverlapWhileAliveAndStayNearThePeak) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    const size_t steps = 60;
    std::vector<Lifetime> blocks;
    for (size_t i = 0; i < 80; ++i) {
      const size_t first = rng() % steps;
      const size_t last = std::min(steps - 1, first + rng() % 8);
      blocks.push_back({size_t(1 + rng() % 100000), first, last});
    }
    const ArenaPlacement p = place_blocks(blocks);
    for (size_t i = 0; i < blocks.size(); ++i) {
      EXPECT_EQ(p.offsets[i] % 64, 0u);
      EXPECT_LE(p.offsets[i] + blocks[i].bytes, p.bytes);
      for (size_t j = i + 1; j < blocks.size(); ++j) {
        if (!meet(blocks[i], blocks[j])) continue;
        const bool apart = p.offsets[i] + blocks[i].bytes <= p.offsets[j] || p.offsets[j] + blocks[j].bytes <= p.offsets[i];
        ASSERT_TRUE(apart) << "trial " << trial << ": blocks " << i << " and " << j << " overlap";
      }
    }
    const size_t lower_bound = peak(blocks, steps);
    EXPECT_GE(p.bytes, lower_bound);
    EXPECT_LE(p.bytes, lower_bound * 3 / 2) << "trial " << trial;
  }
}

TEST(ArenaPlan, NoBlocksNoBytes) { EXPECT_EQ(place_blocks({}).bytes, 0u); }

}  // namespace
}  // namespace tandem::execution
