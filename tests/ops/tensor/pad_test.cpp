// Pad, Tile, Expand, Transpose, Concat, Trilu, Unique, NonZero: versions, modes, every type.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Pad, Opset2ReadsPadsAndValueAttributes) {
  auto y = OpCase("Pad", 2)
               .attr("pads", std::vector<int64_t>{1, 0})
               .attr("value", 9.0)
               .input<float>({2}, {1, 2})
               .run_tensor();
  expect_tensor<float>(y, {3}, {9, 1, 2});
}

TEST(Pad, ReflectEdgeAndNegativePads) {
  auto reflect = OpCase("Pad", 11)
                     .attr("mode", "reflect")
                     .input<int>({3}, {1, 2, 3})
                     .input<int64_t>({2}, {2, 2})
                     .run_tensor();
  expect_tensor<int>(reflect, {7}, {3, 2, 1, 2, 3, 2, 1});
  auto edge =
      OpCase("Pad", 11).attr("mode", "edge").input<int>({2}, {1, 2}).input<int64_t>({2}, {1, 2}).run_tensor();
  expect_tensor<int>(edge, {5}, {1, 1, 2, 2, 2});
  auto crop = OpCase("Pad", 11).input<int>({4}, {1, 2, 3, 4}).input<int64_t>({2}, {-1, 1}).run_tensor();
  expect_tensor<int>(crop, {4}, {2, 3, 4, 0});
}

TEST(Pad, StringsWithAConstantValue) {
  auto y = OpCase("Pad", 13)
               .input<std::string>({1}, {"a"})
               .input<int64_t>({2}, {1, 1})
               .input<std::string>({}, {"-"})
               .run_tensor();
  expect_tensor<std::string>(y, {3}, {"-", "a", "-"});
}

TEST(Pad, PadsOfTheWrongLengthAreInvalid) {
  auto c = OpCase("Pad", 11).input<int>({2}, {1, 2}).input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "do not fit rank");
}

TEST(Tile, Opset1TakesCountAndAxisAndStringsTile) {
  auto old =
      OpCase("Tile", 1).input<int>({2}, {1, 2}).input<int64_t>({}, {2}).input<int64_t>({}, {0}).run_tensor();
  expect_tensor<int>(old, {4}, {1, 2, 1, 2});
  auto s = OpCase("Tile", 13).input<std::string>({1, 2}, {"a", "b"}).input<int64_t>({2}, {2, 1}).run_tensor();
  expect_tensor<std::string>(s, {2, 2}, {"a", "b", "a", "b"});
}

TEST(Expand, BroadcastsBothWays) {
  auto y = OpCase("Expand", 13).input<bool>({2, 1}, {true, false}).input<int64_t>({2}, {1, 3}).run_tensor();
  expect_tensor<bool>(y, {2, 3}, {true, true, true, false, false, false});
  auto bad = OpCase("Expand", 13).input<int>({2}, {1, 2}).input<int64_t>({1}, {3});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidModel, "do not broadcast");
}

TEST(Transpose, DefaultReversesAndBadPermIsInvalid) {
  auto y = OpCase("Transpose", 13).input<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6}).run_tensor();
  expect_tensor<int8_t>(y, {3, 2}, {1, 4, 2, 5, 3, 6});
  auto bad = OpCase("Transpose", 13).attr("perm", std::vector<int64_t>{0, 0}).input<int>({1, 1}, {1});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidModel, "repeats");
}

TEST(Concat, Opset1DefaultsToAxis1AndEmptyInputsJoin) {
  auto y = OpCase("Concat", 1).input<int>({1, 1}, {1}).input<int>({1, 2}, {2, 3}).run_tensor();
  expect_tensor<int>(y, {1, 3}, {1, 2, 3});
  auto e = OpCase("Concat", 13).attr("axis", 0).input<double>({0}, {}).input<double>({1}, {4}).run_tensor();
  expect_tensor<double>(e, {1}, {4});
}

TEST(Trilu, LowerWithNegativeK) {
  auto y = OpCase("Trilu", 14)
               .attr("upper", 0)
               .input<int>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})
               .input<int64_t>({}, {-1})
               .run_tensor();
  expect_tensor<int>(y, {3, 3}, {0, 0, 0, 4, 0, 0, 7, 8, 0});
}

TEST(Unique, UnsortedGivesFirstOccurrenceOrderAndAllOutputs) {
  auto out = OpCase("Unique", 11).attr("sorted", 0).input<float>({5}, {2, 1, 2, 3, 1}).outputs(4).run();
  expect_tensor<float>(out[0].tensor(), {3}, {2, 1, 3});
  expect_tensor<int64_t>(out[1].tensor(), {3}, {0, 1, 3});
  expect_tensor<int64_t>(out[2].tensor(), {5}, {0, 1, 0, 2, 1});
  expect_tensor<int64_t>(out[3].tensor(), {3}, {2, 2, 1});
}

TEST(Unique, SortedStrings) {
  auto out = OpCase("Unique", 11).input<std::string>({3}, {"b", "a", "b"}).outputs(4).run();
  expect_tensor<std::string>(out[0].tensor(), {2}, {"a", "b"});
  expect_tensor<int64_t>(out[2].tensor(), {3}, {1, 0, 1});
}

TEST(NonZero, BoolAndEmpty) {
  auto y = OpCase("NonZero", 13).input<bool>({2, 2}, {false, true, true, false}).run_tensor();
  expect_tensor<int64_t>(y, {2, 2}, {0, 1, 1, 0});
  auto none = OpCase("NonZero", 13).input<float>({3}, {0, 0, 0}).run_tensor();
  EXPECT_EQ(none.shape(), (Shape{1, 0}));
}

TEST(ReverseSequence, LengthsAboveTheSequenceAreErrors) {
  auto y = OpCase("ReverseSequence", 10)
               .attr("time_axis", 1)
               .attr("batch_axis", 0)
               .input<int>({2, 3}, {1, 2, 3, 4, 5, 6})
               .input<int64_t>({2}, {2, 3})
               .run_tensor();
  expect_tensor<int>(y, {2, 3}, {2, 1, 3, 6, 5, 4});
  auto bad = OpCase("ReverseSequence", 10).input<int>({2, 1}, {1, 2}).input<int64_t>({1}, {3});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidArgument, "outside");
}

TEST(Shape, StartAndEndSinceOpset15) {
  auto y = OpCase("Shape", 15).attr("start", -2).input<float>({2, 3, 4}, std::vector<float>(24)).run_tensor();
  expect_tensor<int64_t>(y, {2}, {3, 4});
  auto old =
      OpCase("Shape", 13).attr("start", -2).input<float>({2, 3, 4}, std::vector<float>(24)).run_tensor();
  expect_tensor<int64_t>(old, {3}, {2, 3, 4});
}

TEST(Constant, ShorthandAttributesAndSparseIsUnsupported) {
  auto y = OpCase("Constant", 12).attr("value_ints", std::vector<int64_t>{1, 2}).run_tensor();
  expect_tensor<int64_t>(y, {2}, {1, 2});
  auto s = OpCase("Constant", 12).attr("value_string", "hi").run_tensor();
  expect_tensor<std::string>(s, {}, {"hi"});
}

}  // namespace
}  // namespace tandem::testing
