// RMSNormalization: the root mean square over trailing axes, scale broadcasting and output type.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(RMSNormalization, NormalisesTheLastAxis) {
  auto c = OpCase("RMSNormalization", 23)
               .attr("epsilon", 0.0f)
               .input<float>({2, 2}, {3, 4, 1, 1})
               .input<float>({2}, {1, 2});
  const float a = float(std::sqrt(12.5)), b = 1.0f;
  expect_tensor<float>(c.run_tensor(), {2, 2}, {3 / a, 8 / a, 1 / b, 2 / b});
}

// axis 0 normalises everything; Y takes the scale's element type.
TEST(RMSNormalization, AxisZeroAndDoubleScale) {
  auto c = OpCase("RMSNormalization", 23)
               .attr("axis", 0)
               .attr("epsilon", 0.0f)
               .input<float>({2, 2}, {1, 1, 1, 1})
               .input<double>({1}, {2});
  expect_tensor<double>(c.run_tensor(), {2, 2}, {2, 2, 2, 2});
}

TEST(RMSNormalization, ScaleMustBroadcast) {
  auto c = OpCase("RMSNormalization", 23)
               .input<float>({2, 2}, {1, 1, 1, 1})
               .input<float>({3}, {1, 1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "does not broadcast");
}

TEST(RMSNormalization, AxisOutOfRangeIsInvalidModel) {
  auto c = OpCase("RMSNormalization", 23)
               .attr("axis", 2)
               .input<float>({2, 2}, {1, 1, 1, 1})
               .input<float>({2}, {1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "out of range");
}

}  // namespace
}  // namespace tandem::testing
