// The oneDNN softmax kernel against the reference kernels: Softmax and LogSoftmax along every
// axis from opset 13, and the flattened rows of opsets 1 and 11, on row lengths around the vector
// width.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;

// Sums of exponentials in another order and oneDNN's polynomial exp and log: a few ulp of each
// term. LogSoftmax's x - max - log(sum) loses its relative precision where it nears 0: a few ulp
// of the inputs' spread (20 here, whose ulp is 2e-6) absolutely.
constexpr float kRelTol = 1e-5f;
float abs_tol(const NodeCase& c) { return c.op == "LogSoftmax" ? 1e-5f : 1e-6f; }

NodeCase softmax_case(std::string op, int opset, Shape x, std::optional<int64_t> axis) {
  NodeCase c{std::move(op), opset, {std::move(x)}};
  if (axis) c.attributes["axis"] = *axis;
  return c;
}

TEST(OnednnSoftmax, HandPickedCasesMatchReference) {
  const std::vector<NodeCase> cases = {
      // BERT's and ViT's attention probabilities.
      softmax_case("Softmax", 13, {1, 12, 128, 128}, -1),
      softmax_case("Softmax", 13, {1, 12, 197, 197}, std::nullopt),
      softmax_case("Softmax", 13, {2, 17, 5}, 1),
      softmax_case("Softmax", 13, {3, 4, 5}, 0),
      softmax_case("Softmax", 13, {1000}, std::nullopt),
      softmax_case("LogSoftmax", 13, {2, 33}, -1),
      softmax_case("LogSoftmax", 13, {4, 16, 3}, -2),
      // Before opset 13 the axis and everything after it are one row.
      softmax_case("Softmax", 11, {2, 3, 15}, std::nullopt),
      softmax_case("Softmax", 11, {2, 3, 15}, 2),
      softmax_case("Softmax", 1, {2, 3, 4, 5}, 0),
      softmax_case("LogSoftmax", 11, {3, 7, 9}, -2),
  };
  std::mt19937 rng(83);
  for (const NodeCase& c : cases)
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, -10.0f, 10.0f),
                                      "onednn_softmax_f32", abs_tol(c), kRelTol);
}

// Attention masks: -inf and the lowest float among finite scores, and a row of -inf only.
TEST(OnednnSoftmax, MaskedRowsMatchReference) {
  const float inf = std::numeric_limits<float>::infinity(),
              lowest = std::numeric_limits<float>::lowest();
  const std::vector<float> rows = {1.0f,   2.0f, -inf,   3.0f,  -inf,  -inf,   -inf, -inf,
                                   lowest, 0.5f, lowest, 0.25f, 88.0f, -88.0f, 0.0f, 1e-30f};
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    const NodeCase c = softmax_case(op, 13, {4, 4}, -1);
    Tensor x(ElementType::F32, {4, 4});
    std::copy(rows.begin(), rows.end(), x.span<float>().begin());
    testing::expect_matches_reference(c, {x}, "onednn_softmax_f32", abs_tol(c), kRelTol);
  }
}

// A row holding NaN or +inf is NaN throughout in the reference; oneDNN keeps NaN where the NaN or
// +inf is and gives 0 (-inf for LogSoftmax) beside it: the failure still shows, in fewer places.
TEST(OnednnSoftmax, NonFiniteRowsKeepTheirNaN) {
  const std::vector<float> rows = {
      1.0f, std::numeric_limits<float>::infinity(), 2.0f, 3.0f, 1.0f, std::nanf(""), 2.0f, 3.0f};
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    const NodeCase c = softmax_case(op, 13, {2, 4}, -1);
    SCOPED_TRACE(c.describe());
    Tensor x(ElementType::F32, {2, 4});
    std::copy(rows.begin(), rows.end(), x.span<float>().begin());
    const testing::NodeRun got = testing::run_node(c.model(false), {x});
    ASSERT_TRUE(got.exec_type.starts_with("onednn_softmax_f32")) << "ran " << got.exec_type;
    EXPECT_TRUE(std::isnan(got.y.span<const float>()[1]));
    EXPECT_TRUE(std::isnan(got.y.span<const float>()[5]));
  }
}

TEST(OnednnSoftmax, RandomShapesMatchReference) {
  std::mt19937 rng(89);
  for (int i = 0; i < 60; ++i) {
    Shape x;
    const auto rank = std::uniform_int_distribution<int64_t>(1, 4)(rng);
    for (int64_t d = 0; d < rank; ++d)
      x.push_back(std::uniform_int_distribution<int64_t>(1, 40)(rng));
    const int64_t axis = std::uniform_int_distribution<int64_t>(-rank, rank - 1)(rng);
    const int opset = i % 3 == 0 ? 11 : 13;
    NodeCase c = softmax_case(i % 2 ? "Softmax" : "LogSoftmax", opset, x, axis);
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, -10.0f, 10.0f),
                                      "onednn_softmax_f32", abs_tol(c), kRelTol);
  }
}

}  // namespace
}  // namespace tandem
