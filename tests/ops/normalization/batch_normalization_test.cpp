// BatchNormalization: the old per-element (spatial=0) form and training mode.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(BatchNormalization, InferenceUsesTheGivenStatistics) {
  auto c = OpCase("BatchNormalization", 15)
               .attr("epsilon", 0.0)
               .input<float>({1, 2, 2}, {1, 3, 10, 20})
               .input<float>({2}, {1, 2})    // scale
               .input<float>({2}, {0, 1})    // B
               .input<float>({2}, {1, 10})   // mean
               .input<float>({2}, {4, 25});  // var
  expect_tensor<float>(c.run_tensor(), {1, 2, 2}, {0, 1, 1, 5});
}

TEST(BatchNormalization, Opset6SpatialZeroHasParametersPerElement) {
  auto c = OpCase("BatchNormalization", 6)
               .attr("epsilon", 0.0)
               .attr("is_test", 1)
               .attr("spatial", 0)
               .input<float>({2, 1, 2}, {1, 2, 3, 4})
               .input<float>({1, 2}, {1, 2})
               .input<float>({1, 2}, {0, 0})
               .input<float>({1, 2}, {1, 0})
               .input<float>({1, 2}, {1, 4});
  expect_tensor<float>(c.run_tensor(), {2, 1, 2}, {0, 2, 2, 4});
}

TEST(BatchNormalization, TrainingModeUsesBatchStatisticsAndUpdatesRunningOnes) {
  auto c = OpCase("BatchNormalization", 15)
               .attr("epsilon", 0.0)
               .attr("momentum", 0.5)
               .attr("training_mode", 1)
               .input<float>({2, 1, 1}, {1, 3})  // batch mean 2, variance 1
               .input<float>({1}, {1})
               .input<float>({1}, {0})
               .input<float>({1}, {0})
               .input<float>({1}, {3})
               .outputs(3);
  auto out = c.run();
  expect_tensor<float>(out[0].tensor(), {2, 1, 1}, {-1, 1});
  expect_tensor<float>(out[1].tensor(), {1}, {1});
  expect_tensor<float>(out[2].tensor(), {1}, {2});
}

TEST(BatchNormalization, WrongParameterSizeIsAnError) {
  auto c = OpCase("BatchNormalization", 15)
               .input<float>({1, 2, 1}, {1, 2})
               .input<float>({3}, {1, 1, 1})
               .input<float>({2}, {0, 0})
               .input<float>({2}, {0, 0})
               .input<float>({2}, {1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "input scale has shape [3]");
}

}  // namespace
}  // namespace tandem::testing
