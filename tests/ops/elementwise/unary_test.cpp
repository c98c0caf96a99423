// Unary and variadic elementwise ops: version differences and edge values.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(Clip, Opset6ReadsBoundsFromAttributes) {
  auto c =
      OpCase("Clip", 6).attr("min", -1.0f).attr("max", 1.0f).input<float>({4}, {-3, -.5, .5, 3});
  expect_tensor<float>(c.run_tensor(), {4}, {-1, -.5, .5, 1});
}

TEST(Clip, Opset11ReadsOptionalInputs) {
  auto c =
      OpCase("Clip", 11).input<float>({4}, {-3, -.5, .5, 3}).omitted_input().input<float>({}, {0});
  expect_tensor<float>(c.run_tensor(), {4}, {-3, -.5, 0, 0});
}

TEST(Clip, Opset12ClipsIntegers) {
  auto c = OpCase("Clip", 12).input<int8_t>({3}, {-128, 5, 127}).input<int8_t>({}, {-3});
  expect_tensor<int8_t>(c.run_tensor(), {3}, {-3, 5, 127});
}

TEST(Clip, MinAboveMaxGivesMax) {
  auto c =
      OpCase("Clip", 13).input<float>({2}, {-1, 5}).input<float>({}, {2}).input<float>({}, {1});
  expect_tensor<float>(c.run_tensor(), {2}, {1, 1});
}

TEST(Clip, NonScalarBoundIsInvalid) {
  auto c = OpCase("Clip", 13).input<float>({2}, {0, 1}).input<float>({2}, {0, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "must be a scalar");
}

TEST(PRelu, Opset6AppliesAOneDimensionalSlopePerChannel) {
  auto c = OpCase("PRelu", 6).input<float>({1, 2, 2}, {-1, 1, -1, 1}).input<float>({2}, {0.5f, 2});
  expect_tensor<float>(c.run_tensor(), {1, 2, 2}, {-0.5f, 1, -2, 1});
}

TEST(PRelu, Opset9BroadcastsTheSlopeLikeNumpy) {
  auto c = OpCase("PRelu", 9).input<float>({2, 2}, {-1, -1, -1, 1}).input<float>({2}, {0.5f, 2});
  expect_tensor<float>(c.run_tensor(), {2, 2}, {-0.5f, -2, -0.5f, 1});
}

TEST(PRelu, SlopeMustBroadcastToTheInput) {
  auto c = OpCase("PRelu", 16).input<float>({2}, {-1, 1}).input<float>({2, 2}, {1, 1, 1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "slope");
}

TEST(Round, HalvesGoToEven) {
  auto c = OpCase("Round", 11).input<float>({6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f});
  expect_tensor<float>(c.run_tensor(), {6}, {0, 2, 2, -0.f, -2, 2});
}

TEST(Relu, Opset14TakesSignedIntegers) {
  auto c = OpCase("Relu", 14).input<int32_t>({3}, {-5, 0, 7});
  expect_tensor<int32_t>(c.run_tensor(), {3}, {0, 0, 7});
}

TEST(Abs, MinimumOfASignedTypeWraps) {
  auto c = OpCase("Abs", 13).input<int8_t>({3}, {-128, -3, 4});
  expect_tensor<int8_t>(c.run_tensor(), {3}, {-128, 3, 4});
}

TEST(Sign, KeepsNaN) {
  Tensor y = OpCase("Sign", 13).input<float>({4}, {-2, 0, 3, kNaN}).run_tensor();
  auto v = y.span<const float>();
  EXPECT_EQ(v[0], -1);
  EXPECT_EQ(v[1], 0);
  EXPECT_EQ(v[2], 1);
  EXPECT_TRUE(std::isnan(v[3]));
}

TEST(IsInf, AttributesPickTheSign) {
  auto c = OpCase("IsInf", 10).attr("detect_negative", 0).input<float>({4}, {kInf, -kInf, kNaN, 1});
  expect_tensor<bool>(c.run_tensor(), {4}, {true, false, false, false});
}

TEST(Softplus, DoesNotOverflowForLargeInputs) {
  auto c = OpCase("Softplus", 1).input<float>({2}, {100, -100});
  expect_tensor<float>(c.run_tensor(), {2}, {100, 0});
}

TEST(Max, BroadcastsEveryInput) {
  auto c = OpCase("Max", 13)
               .input<int32_t>({2, 1}, {1, 5})
               .input<int32_t>({3}, {0, 3, 6})
               .input<int32_t>({}, {2});
  expect_tensor<int32_t>(c.run_tensor(), {2, 3}, {2, 3, 6, 5, 5, 6});
}

TEST(Max, PropagatesNaN) {
  Tensor y =
      OpCase("Max", 13).input<float>({2}, {kNaN, 1}).input<float>({2}, {1, kNaN}).run_tensor();
  EXPECT_TRUE(std::isnan(y.span<const float>()[0]));
  EXPECT_TRUE(std::isnan(y.span<const float>()[1]));
}

TEST(Mean, OfOneInputIsItself) {
  auto c = OpCase("Mean", 13).input<float>({2}, {1, 2});
  expect_tensor<float>(c.run_tensor(), {2}, {1, 2});
}

TEST(Mean, DividesByTheInputCount) {
  auto c = OpCase("Mean", 8)
               .input<double>({2}, {1, 2})
               .input<double>({1}, {3})
               .input<double>({2}, {2, 4});
  expect_tensor<double>(c.run_tensor(), {2}, {2, 3});
}

TEST(Where, BroadcastsThreeWaysOverStrings) {
  auto c = OpCase("Where", 16)
               .input<bool>({2, 1}, {true, false})
               .input<std::string>({2}, {"a", "b"})
               .input<std::string>({}, {"z"});
  expect_tensor<std::string>(c.run_tensor(), {2, 2}, {"a", "b", "z", "z"});
}

TEST(Where, ConditionMustBeBool) {
  auto c =
      OpCase("Where", 16).input<int32_t>({1}, {1}).input<float>({1}, {1}).input<float>({1}, {2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "condition must be bool");
}

}  // namespace
}  // namespace tandem::testing
