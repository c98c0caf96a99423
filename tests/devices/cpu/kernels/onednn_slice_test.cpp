// The oneDNN slice kernel against the reference kernel: ViT's three-way split of its fused
// query-key-value projection, windows on several axes with steps, negative and out-of-range bounds
// (clamped), opset 1's attributes; reversing steps stay with the reference. A copy: exact.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;
using Ints = std::vector<int64_t>;

NodeCase slice(Shape x, Ints starts, Ints ends, Ints axes = {}, Ints steps = {}) {
  NodeCase c{"Slice", 13, {std::move(x)}};
  c.constants.emplace_back("starts", Tensor::from<int64_t>(starts));
  c.constants.emplace_back("ends", Tensor::from<int64_t>(ends));
  if (!axes.empty() || !steps.empty()) c.constants.emplace_back("axes", Tensor::from<int64_t>(axes));
  if (!steps.empty()) c.constants.emplace_back("steps", Tensor::from<int64_t>(steps));
  return c;
}

void expect_matches(const NodeCase& c, std::mt19937& rng) {
  testing::expect_matches_reference(c, testing::random_inputs(c, rng, -1.0f, 1.0f), "onednn_slice_f32", 0.0f, 0.0f);
}

TEST(OnednnSlice, HandPickedCasesMatchReference) {
  std::mt19937 rng(91);
  for (int64_t part = 0; part < 3; ++part)  // ViT-B/16's q, k and v
    expect_matches(slice({1, 197, 2304}, {768 * part}, {768 * (part + 1)}, {2}), rng);
  expect_matches(slice({4, 9, 17}, {1, -5}, {3, 1000}, {0, 2}), rng);
  expect_matches(slice({4, 9, 17}, {0, 1, 2}, {4, 9, 17}, {0, 1, 2}, {2, 3, 5}), rng);
  expect_matches(slice({2, 3, 4, 5}, {-100}, {100}, {-1}), rng);
  expect_matches(slice({33}, {3}, {30}), rng);
  NodeCase opset1{"Slice", 1, {{5, 6}}};
  opset1.attributes = {{"starts", Ints{1, 2}}, {"ends", Ints{4, 5}}};
  expect_matches(opset1, rng);
}

TEST(OnednnSlice, ReversingStepsStayWithTheReference) {
  std::mt19937 rng(93);
  const NodeCase c = slice({6, 7}, {5}, {-100}, {1}, {-2});
  testing::expect_matches_reference(c, testing::random_inputs(c, rng, -1.0f, 1.0f), "reference", 0.0f, 0.0f);
}

TEST(OnednnSlice, RandomCasesMatchReference) {
  std::mt19937 rng(97);
  const auto pick = [&](std::vector<int64_t> values) {
    return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)];
  };
  for (int i = 0; i < 40; ++i) {
    Shape x;
    for (int64_t d = 0, rank = pick({1, 2, 3, 4}); d < rank; ++d) x.push_back(pick({2, 3, 8, 16, 17, 33}));
    Ints starts, ends, axes, steps;
    for (size_t d = 0; d < x.size(); ++d) {
      if (pick({0, 1}) == 0) continue;
      const int64_t dim = x[d];
      starts.push_back(std::uniform_int_distribution<int64_t>(-dim, dim - 1)(rng));
      ends.push_back(starts.back() + std::uniform_int_distribution<int64_t>(1, dim + 2)(rng) + (starts.back() < 0 ? dim : 0));
      axes.push_back(int64_t(d));
      steps.push_back(pick({1, 1, 2, 3}));
    }
    if (axes.empty()) continue;
    expect_matches(slice(x, starts, ends, axes, steps), rng);
  }
}

}  // namespace
}  // namespace tandem
