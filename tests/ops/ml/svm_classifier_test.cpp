// SVMClassifier: one-vs-one votes, probabilities, the linear mode and ONNX Runtime's two-class
// conventions.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// Three classes with one support vector each, a linear kernel: for x = (0, 2) the pairwise scores
// are -2 (0 vs 1), -2 (0 vs 2) and 4 (1 vs 2), so class 1 wins two votes.
OpCase three_classes() {
  return std::move(OpCase("SVMClassifier", 1, "ai.onnx.ml")
                       .attr("classlabels_ints", std::vector<int64_t>{10, 20, 30})
                       .attr("vectors_per_class", std::vector<int64_t>{1, 1, 1})
                       .attr("support_vectors", std::vector<float>{1, 0, 0, 1, -1, -1})
                       .attr("coefficients", std::vector<float>{1, -1, 1, 1, 1, -1})
                       .attr("rho", std::vector<float>{0, 0, 0})
                       .outputs(2));
}

TEST(SVMClassifier, VotesOneAgainstOne) {
  // The second row ties at one vote each: the first class wins.
  auto out = three_classes().input<float>({2, 2}, {0, 2, 2, 0}).run();
  expect_tensor<int64_t>(out[0].tensor(), {2}, {20, 10});
  expect_tensor<float>(out[1].tensor(), {2, 3}, {-2, -2, 4, 2, 0, 2});
}

TEST(SVMClassifier, ProbabilitiesSumToOne) {
  auto out = three_classes()
                 .attr("prob_a", std::vector<float>{-1, -1, -1})
                 .attr("prob_b", std::vector<float>{0, 0, 0})
                 .input<float>({1, 2}, {0, 2})
                 .run();
  const Tensor& z = out[1].tensor();
  ASSERT_EQ(z.shape(), (Shape{1, 3}));
  auto p = z.span<float>();
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0f, 1e-5);
  EXPECT_GT(p[1], p[0]);
  EXPECT_GT(p[1], p[2]);
}

TEST(SVMClassifier, TwoClassesWriteTheScoreTwice) {
  // One pairwise score s = 2 + 0.5 for x = (2, 0), written as [-s, s] without a post transform.
  auto out = OpCase("SVMClassifier", 1, "ai.onnx.ml")
                 .attr("classlabels_strings", std::vector<std::string>{"no", "yes"})
                 .attr("vectors_per_class", std::vector<int64_t>{1, 1})
                 .attr("support_vectors", std::vector<float>{1, 0, 0, 1})
                 .attr("coefficients", std::vector<float>{1, -1})
                 .attr("rho", std::vector<float>{0.5f})
                 .outputs(2)
                 .input<float>({1, 2}, {2, 0})
                 .run();
  EXPECT_EQ(out[0].tensor().span<std::string>()[0], "no");
  expect_tensor<float>(out[1].tensor(), {1, 2}, {-2.5f, 2.5f});
}

TEST(SVMClassifier, LinearTwoClassLabelFollowsOnnxRuntime) {
  // Scores (0.2, -0.2): class 0 is best, but with mixed-sign weights a best score > 0 picks the
  // second label in ONNX Runtime.
  auto out = OpCase("SVMClassifier", 1, "ai.onnx.ml")
                 .attr("classlabels_ints", std::vector<int64_t>{0, 1})
                 .attr("coefficients", std::vector<float>{1, 0, -1, 0})
                 .attr("rho", std::vector<float>{0})
                 .outputs(2)
                 .input<float>({1, 2}, {0.2f, 0})
                 .run();
  expect_tensor<int64_t>(out[0].tensor(), {1}, {1});
  expect_tensor<float>(out[1].tensor(), {1, 2}, {0.2f, -0.2f});
}

TEST(SVMClassifier, VectorsPerClassMustCoverTheClasses) {
  auto c = OpCase("SVMClassifier", 1, "ai.onnx.ml")
               .attr("classlabels_ints", std::vector<int64_t>{0, 1, 2})
               .attr("vectors_per_class", std::vector<int64_t>{1, 1})
               .attr("support_vectors", std::vector<float>{1, 0})
               .attr("coefficients", std::vector<float>{1, 1})
               .attr("rho", std::vector<float>{0})
               .outputs(2)
               .input<float>({1, 1}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel,
                    "vectors_per_class has 2 entries for 3 classes");
}

}  // namespace
}  // namespace tandem::testing
