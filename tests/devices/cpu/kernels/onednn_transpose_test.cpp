// The oneDNN transpose kernel against the reference kernel: attention's head splits and merges,
// the default (reversed) permutation, negative axes, ranks 1 to 6 and sizes around the vector
// width. A copy: exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;
using Ints = std::vector<int64_t>;

NodeCase transpose(Shape x, std::optional<Ints> perm) {
  NodeCase c{"Transpose", 21, {std::move(x)}};
  if (perm) c.attributes["perm"] = *perm;
  return c;
}

TEST(OnednnTranspose, HandPickedCasesMatchReference) {
  const std::vector<NodeCase> cases = {
      transpose({1, 128, 12, 64}, Ints{0, 2, 1, 3}),  // BERT's heads out of the hidden size
      transpose({1, 12, 128, 64}, Ints{0, 2, 3, 1}),  // Kᵀ
      transpose({1, 12, 197, 64}, Ints{0, 2, 1, 3}),  // ViT's heads back
      transpose({3, 17}, std::nullopt),               // reversed by default
      transpose({2, 3, 5}, Ints{-1, 0, -2}),
      transpose({31}, Ints{0}),
      transpose({2, 3, 4, 5, 6, 7}, Ints{5, 3, 1, 0, 2, 4}),
  };
  std::mt19937 rng(81);
  for (const NodeCase& c : cases)
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, -1.0f, 1.0f), "onednn_transpose_f32",
                                      0.0f, 0.0f);
}

TEST(OnednnTranspose, RandomCasesMatchReference) {
  std::mt19937 rng(83);
  const auto pick = [&](std::vector<int64_t> values) {
    return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)];
  };
  for (int i = 0; i < 40; ++i) {
    Shape x;
    for (int64_t d = 0, rank = pick({2, 3, 4, 5}); d < rank; ++d) x.push_back(pick({1, 2, 3, 8, 15, 16, 17, 33}));
    Ints perm(x.size());
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    const NodeCase c = transpose(x, perm);
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, -1.0f, 1.0f), "onednn_transpose_f32",
                                      0.0f, 0.0f);
  }
}

}  // namespace
}  // namespace tandem
