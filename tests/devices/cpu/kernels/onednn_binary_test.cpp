// The oneDNN binary kernel against the reference kernels: Add, Sub, Mul and Div over
// equal shapes, numpy broadcasting of either operand (the first only for the commutative ops),
// scalars, constant operands, and sizes around the vector width.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;

// Add, Sub and Mul round once as the reference does; Div too, but oneDNN may divide
// as a multiplication by the reciprocal (two roundings): 2 ulp.
constexpr float kRelTol = 2.5e-7f;

TEST(OnednnBinary, HandPickedCasesMatchReference) {
  const std::vector<NodeCase> cases = {
      // BERT's residual, bias and attention-mask adds and its scaling divisions.
      {"Add", 14, {{1, 128, 768}, {1, 128, 768}}},
      {"Add", 14, {{1, 128, 3072}, {3072}}},
      {"Add", 14, {{1, 12, 128, 128}, {1, 1, 1, 128}}},
      {"Div", 14, {{1, 12, 128, 128}, {}}},
      {"Mul", 14, {{1, 128, 768}, {1, 128, 1}}},
      {"Sub", 14, {{1, 128, 768}, {1, 128, 1}}},
      // The broadcast operand first: swapped for the commutative ops.
      {"Add", 14, {{768}, {1, 197, 768}}},
      {"Mul", 14, {{1, 1, 7}, {3, 5, 7}}},
      {"Mul", 13, {{5, 1}, {5, 17}}},
      {"Add", 13, {{1}, {33}}},
      // Odd sizes and the vector width's edges.
      {"Sub", 7, {{15}, {15}}},
      {"Div", 7, {{16}, {16}}},
      {"Mul", 7, {{17, 3}, {17, 1}}},
      {"Add", 7, {{2, 3, 4, 5, 6}, {3, 1, 5, 1}}},
      {"Add", 7, {{1}, {}}},
  };
  std::mt19937 rng(53);
  for (const NodeCase& c : cases)
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, 0.5f, 2.0f),
                                      "onednn_binary_f32", 0.0f, kRelTol);
}

// IEEE arithmetic at the edges: NaN, infinities, zeros of both signs, division by zero.
TEST(OnednnBinary, SpecialValuesMatchReference) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  const std::vector<float> a = {nan, inf, -inf, 0.0f, -0.0f, 1.0f, 1e30f, -1e-30f, inf, 0.0f},
                           b = {1.0f, inf, inf, 0.0f, 0.0f, 0.0f, 1e30f, 1e30f, 0.0f, nan};
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    const NodeCase c{op, 14, {{10}, {10}}};
    Tensor x(ElementType::F32, {10}), y(ElementType::F32, {10});
    std::copy(a.begin(), a.end(), x.span<float>().begin());
    std::copy(b.begin(), b.end(), y.span<float>().begin());
    testing::expect_matches_reference(c, {x, y}, "onednn_binary_f32", 0.0f, kRelTol);
  }
}

TEST(OnednnBinary, ConstantOperandMatchesReference) {
  NodeCase c{"Div", 14, {{2, 64, 33}}};
  Tensor divisor(ElementType::F32, {33});
  for (size_t i = 0; i < 33; ++i) divisor.span<float>()[i] = 0.25f + float(i);
  c.constants.emplace_back("divisor", divisor);
  std::mt19937 rng(59);
  testing::expect_matches_reference(c, testing::random_inputs(c, rng, -2.0f, 2.0f),
                                    "onednn_binary_f32", 0.0f, kRelTol);
}

// oneDNN 2.6 broadcasts only its second source: Sub and Div with the first operand broadcast,
// and shapes that both broadcast, stay on the reference; so do Max and Min, whose NaN
// propagation oneDNN lacks.
TEST(OnednnBinary, DeclinesWhatTheReferenceAloneComputes) {
  const std::vector<NodeCase> cases = {
      {"Max", 13, {{5, 17}, {5, 17}}},   {"Min", 13, {{33}, {1}}},
      {"Sub", 14, {{768}, {1, 4, 768}}}, {"Div", 14, {{}, {3, 4}}},
      {"Add", 14, {{3, 1}, {1, 4}}},
  };
  std::mt19937 rng(61);
  for (const NodeCase& c : cases) {
    SCOPED_TRACE(c.describe());
    EXPECT_EQ(testing::static_kernel(c, testing::random_inputs(c, rng, 0.5f, 2.0f)), "reference");
  }
}

TEST(OnednnBinary, RandomBroadcastsMatchReference) {
  std::mt19937 rng(67);
  auto pick = [&](std::initializer_list<int64_t> values) {
    return *(values.begin() + std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng));
  };
  const char* ops[] = {"Add", "Sub", "Mul", "Div"};
  for (int i = 0; i < 80; ++i) {
    const std::string op = ops[pick({0, 1, 2, 3})];
    Shape y;
    for (int64_t d = 0, rank = pick({1, 2, 3, 4}); d < rank; ++d)
      y.push_back(pick({1, 2, 3, 7, 8, 15, 16, 17, 33, 64}));
    // The second operand: y's trailing dimensions, some of them 1.
    Shape b(y.begin() + pick({0, 0, 1}) * (y.size() > 1 ? 1 : 0), y.end());
    for (int64_t& d : b)
      if (pick({0, 0, 1}) == 1) d = 1;
    NodeCase c{op, 14, {y, b}};
    const bool commutative = op != "Sub" && op != "Div";
    if (commutative && pick({0, 1}) == 1) c.inputs = {b, y};
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, 0.5f, 2.0f),
                                      "onednn_binary_f32", 0.0f, kRelTol);
  }
}

}  // namespace
}  // namespace tandem
