// The oneDNN concat kernel against the reference kernel on plain tensors: every axis (negative
// ones too), two to four inputs, ranks 1 to 5, sizes around the vector width and empty inputs.
// Blocked inputs (a fire module's two expand convolutions) are covered by
// tests/devices/cpu/layout_assignment_test.cpp, which chains real convolutions into it.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;

NodeCase concat(int64_t axis, std::vector<Shape> inputs) {
  NodeCase c{"Concat", 13, std::move(inputs)};
  c.attributes["axis"] = axis;
  return c;
}

// A copy: exact.
TEST(OnednnConcat, HandPickedCasesMatchReference) {
  const std::vector<NodeCase> cases = {
      concat(1, {{1, 64, 55, 55}, {1, 64, 55, 55}}),  // SqueezeNet's fire module, plain
      concat(1, {{1, 3, 5, 5}, {1, 13, 5, 5}, {1, 1, 5, 5}}),
      concat(0, {{2, 7}, {5, 7}}),
      concat(-1, {{2, 3, 15}, {2, 3, 16}, {2, 3, 17}, {2, 3, 1}}),
      concat(2, {{1, 2, 3, 4, 5}, {1, 2, 1, 4, 5}}),
      concat(0, {{33}, {1}}),
      concat(-3, {{4, 8, 2}, {1, 8, 2}}),
  };
  std::mt19937 rng(71);
  for (const NodeCase& c : cases)
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, -1.0f, 1.0f),
                                      "onednn_concat_f32", 0.0f, 0.0f);
}

TEST(OnednnConcat, RandomCasesMatchReference) {
  std::mt19937 rng(73);
  const auto pick = [&](std::vector<int64_t> values) {
    return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)];
  };
  for (int i = 0; i < 40; ++i) {
    Shape shape;
    for (int64_t d = 0, rank = pick({1, 2, 3, 4}); d < rank; ++d)
      shape.push_back(pick({1, 2, 3, 8, 15, 16, 17}));
    const int64_t rank = int64_t(shape.size());
    const int64_t axis = std::uniform_int_distribution<int64_t>(-rank, rank - 1)(rng);
    std::vector<Shape> inputs;
    for (int64_t n = 0, count = pick({2, 3, 4}); n < count; ++n) {
      inputs.push_back(shape);
      inputs.back()[size_t(axis < 0 ? axis + rank : axis)] = pick({1, 2, 5, 16, 19});
    }
    const NodeCase c = concat(axis, inputs);
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, -1.0f, 1.0f),
                                      "onednn_concat_f32", 0.0f, 0.0f);
  }
}

}  // namespace
}  // namespace tandem
