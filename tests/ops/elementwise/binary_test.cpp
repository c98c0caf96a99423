// Binary elementwise ops: the two broadcasting rules, integer edge cases, mixed-type Pow, Mod
// signs.
#include <cstdint>
#include <limits>
#include <string>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Add, Opset6BroadcastsAtTheAxisAttribute) {
  auto c = OpCase("Add", 6)
               .attr("broadcast", 1)
               .attr("axis", 0)
               .input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
               .input<float>({2}, {10, 20});
  expect_tensor<float>(c.run_tensor(), {2, 3}, {11, 12, 13, 24, 25, 26});
}

TEST(Add, Opset6AlignsToTheEndWithoutAxis) {
  auto c = OpCase("Add", 6)
               .attr("broadcast", 1)
               .input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
               .input<float>({3}, {10, 20, 30});
  expect_tensor<float>(c.run_tensor(), {2, 3}, {11, 22, 33, 14, 25, 36});
}

TEST(Add, Opset6WithoutBroadcastNeedsEqualShapes) {
  auto c = OpCase("Add", 6).input<float>({2, 3}, {1, 2, 3, 4, 5, 6}).input<float>({3}, {1, 2, 3});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "'broadcast' is not set");
}

TEST(Add, Opset7BroadcastsLikeNumpy) {
  auto c = OpCase("Add", 7).input<int32_t>({2, 1}, {1, 2}).input<int32_t>({3}, {10, 20, 30});
  expect_tensor<int32_t>(c.run_tensor(), {2, 3}, {11, 21, 31, 12, 22, 32});
}

TEST(Add, ShapesThatDoNotBroadcastAreInvalid) {
  auto c = OpCase("Add", 14).input<float>({2}, {1, 2}).input<float>({3}, {1, 2, 3});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "do not broadcast");
}

TEST(Add, MixedElementTypesAreInvalid) {
  auto c = OpCase("Add", 14).input<float>({1}, {1}).input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "element type");
}

TEST(Add, IntegersWrapAround) {
  auto c = OpCase("Add", 14).input<int8_t>({2}, {127, -128}).input<int8_t>({2}, {1, -1});
  expect_tensor<int8_t>(c.run_tensor(), {2}, {-128, 127});
}

TEST(Add, EmptyTensorBroadcastsToEmpty) {
  auto c = OpCase("Add", 14).input<float>({0, 3}, {}).input<float>({3}, {1, 2, 3});
  expect_tensor<float>(c.run_tensor(), {0, 3}, {});
}

TEST(Div, IntegerDivisionTruncates) {
  auto c =
      OpCase("Div", 14).input<int32_t>({4}, {7, -7, 7, -7}).input<int32_t>({4}, {2, 2, -2, -2});
  expect_tensor<int32_t>(c.run_tensor(), {4}, {3, -3, -3, 3});
}

TEST(Div, IntegerDivisionByZeroThrows) {
  auto c = OpCase("Div", 14).input<int64_t>({2}, {1, 2}).input<int64_t>({2}, {1, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "division by zero");
}

TEST(Div, MinimumOverMinusOneWraps) {
  const int32_t min = std::numeric_limits<int32_t>::min();
  auto c = OpCase("Div", 14).input<int32_t>({1}, {min}).input<int32_t>({1}, {-1});
  expect_tensor<int32_t>(c.run_tensor(), {1}, {min});
}

TEST(Mod, IntegersTakeTheDivisorsSignByDefault) {
  auto c =
      OpCase("Mod", 13).input<int32_t>({4}, {7, -7, 7, -7}).input<int32_t>({4}, {3, 3, -3, -3});
  expect_tensor<int32_t>(c.run_tensor(), {4}, {1, 2, -2, -1});
}

TEST(Mod, FmodTakesTheDividendsSign) {
  auto c = OpCase("Mod", 13)
               .attr("fmod", 1)
               .input<int32_t>({4}, {7, -7, 7, -7})
               .input<int32_t>({4}, {3, 3, -3, -3});
  expect_tensor<int32_t>(c.run_tensor(), {4}, {1, -1, 1, -1});
}

TEST(Mod, FloatsWithFmod) {
  auto c =
      OpCase("Mod", 13).attr("fmod", 1).input<float>({2}, {5.5f, -5.5f}).input<float>({2}, {2, 2});
  expect_tensor<float>(c.run_tensor(), {2}, {1.5f, -1.5f});
}

TEST(Mod, IntegerModuloByZeroThrows) {
  auto c = OpCase("Mod", 13).input<uint8_t>({1}, {3}).input<uint8_t>({1}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "modulo by zero");
}

TEST(Pow, Opset12TakesAnExponentOfAnotherType) {
  auto c = OpCase("Pow", 12).input<int64_t>({3}, {2, 3, -2}).input<float>({3}, {3, 0.5f, 2});
  expect_tensor<int64_t>(c.run_tensor(), {3}, {8, 1, 4});
}

TEST(Pow, IntegerPowersAreExact) {
  auto c = OpCase("Pow", 15).input<int64_t>({3}, {3, 2, -1}).input<int64_t>({3}, {39, -1, -3});
  expect_tensor<int64_t>(c.run_tensor(), {3}, {4052555153018976267, 0, -1});
}

TEST(Pow, Opset7NeedsOneElementType) {
  auto c = OpCase("Pow", 7).input<float>({1}, {2}).input<double>({1}, {2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "element type");
}

TEST(BitShift, ShiftsOutEveryBitAtTheWidth) {
  auto c = OpCase("BitShift", 11)
               .attr("direction", "LEFT")
               .input<uint8_t>({3}, {1, 3, 255})
               .input<uint8_t>({3}, {7, 1, 8});
  expect_tensor<uint8_t>(c.run_tensor(), {3}, {128, 6, 0});
}

TEST(BitShift, UnknownDirectionIsInvalid) {
  auto c = OpCase("BitShift", 11)
               .attr("direction", "UP")
               .input<uint8_t>({1}, {1})
               .input<uint8_t>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "direction");
}

TEST(Equal, ComparesStrings) {
  auto c =
      OpCase("Equal", 13).input<std::string>({3}, {"a", "b", "c"}).input<std::string>({1}, {"b"});
  expect_tensor<bool>(c.run_tensor(), {3}, {false, true, false});
}

TEST(Less, Opset1BroadcastsByAttribute) {
  auto c = OpCase("Less", 1)
               .attr("broadcast", 1)
               .input<float>({2, 2}, {1, 5, 3, 2})
               .input<float>({2}, {2, 4});
  expect_tensor<bool>(c.run_tensor(), {2, 2}, {true, false, false, true});
}

TEST(And, BroadcastsBools) {
  auto c = OpCase("And", 7)
               .input<bool>({2, 2}, {true, true, false, true})
               .input<bool>({2}, {true, false});
  expect_tensor<bool>(c.run_tensor(), {2, 2}, {true, false, false, false});
}

}  // namespace
}  // namespace tandem::testing
