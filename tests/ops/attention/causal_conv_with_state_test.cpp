// CausalConvWithState: a two-tap kernel with and without carried state.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// Taps [1, 1]: y[t] = x[t-1] + x[t]; the state is the last input.
TEST(CausalConvWithState, SumsWithThePreviousPosition) {
  auto c = OpCase("CausalConvWithState", 27)
               .input<float>({1, 1, 3}, {1, 2, 3})
               .input<float>({1, 1, 2}, {1, 1})
               .outputs(2);
  auto out = c.run();
  expect_tensor<float>(out[0].tensor(), {1, 1, 3}, {1, 3, 5});
  expect_tensor<float>(out[1].tensor(), {1, 1, 1}, {3});
}

TEST(CausalConvWithState, PastStateAndBiasCarryOver) {
  auto c = OpCase("CausalConvWithState", 27)
               .input<float>({1, 1, 1}, {2})
               .input<float>({1, 1, 2}, {1, 1})
               .input<float>({1}, {10})
               .input<float>({1, 1, 1}, {5})
               .outputs(2);
  auto out = c.run();
  expect_tensor<float>(out[0].tensor(), {1, 1, 1}, {17});
  expect_tensor<float>(out[1].tensor(), {1, 1, 1}, {2});
}

TEST(CausalConvWithState, WeightMustBeDepthwise) {
  auto c = OpCase("CausalConvWithState", 27)
               .input<float>({1, 2, 1}, {1, 2})
               .input<float>({1, 1, 2}, {1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "(channels, 1, k)");
}

}  // namespace
}  // namespace tandem::testing
