// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: weights, ignore_index, bad targets.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(NegativeLogLikelihoodLoss, WeightedMeanDividesBySummedWeights) {
  auto c = OpCase("NegativeLogLikelihoodLoss", 13)
               .input<float>({2, 2}, {-1, -2, -3, -4})
               .input<int64_t>({2}, {0, 1})
               .input<float>({2}, {1, 3});
  expect_tensor<float>(c.run_tensor(), {}, {(1 * 1 + 4 * 3) / 4.0f});
}

TEST(NegativeLogLikelihoodLoss, IgnoredTargetsMayBeOutOfRange) {
  auto c = OpCase("NegativeLogLikelihoodLoss", 13)
               .attr("ignore_index", -1)
               .attr("reduction", "none")
               .input<float>({2, 2}, {-1, -2, -3, -4})
               .input<int64_t>({2}, {-1, 1});
  expect_tensor<float>(c.run_tensor(), {2}, {0, 4});
}

TEST(NegativeLogLikelihoodLoss, TargetOutOfRangeIsAnError) {
  auto c = OpCase("NegativeLogLikelihoodLoss", 13)
               .input<float>({1, 2}, {-1, -2})
               .input<int64_t>({1}, {2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "target 2 is outside [0, 2)");
}

TEST(SoftmaxCrossEntropyLoss, SumAndLogProb) {
  auto out = OpCase("SoftmaxCrossEntropyLoss", 13)
                 .attr("reduction", "sum")
                 .input<float>({1, 2}, {0, 0})
                 .input<int32_t>({1}, {1})
                 .outputs(2)
                 .run();
  expect_tensor<float>(out[0].tensor(), {}, {std::log(2.0f)});
  expect_tensor<float>(out[1].tensor(), {1, 2}, {-std::log(2.0f), -std::log(2.0f)});
}

TEST(SoftmaxCrossEntropyLoss, UnknownReductionIsInvalidModel) {
  auto c = OpCase("SoftmaxCrossEntropyLoss", 13)
               .attr("reduction", "max")
               .input<float>({1, 2}, {0, 0})
               .input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "reduction must be none, sum or mean");
}

}  // namespace
}  // namespace tandem::testing
