// Sequence and optional ops: positions, splitting and joining, empty optionals.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

Value floats(std::vector<std::vector<float>> rows) {
  std::vector<Tensor> items;
  for (auto& r : rows) items.push_back(Tensor::from<float>(r, Shape{int64_t(r.size())}));
  return Value::sequence(std::move(items), ElementType::F32);
}

TEST(SequenceEmpty, KeepsItsDtype) {
  Value v = OpCase("SequenceEmpty", 11).attr("dtype", int64_t(ElementType::I64)).run().at(0);
  ASSERT_TRUE(v.is_sequence());
  EXPECT_TRUE(v.items().empty());
  EXPECT_EQ(v.sequence_element_type(), ElementType::I64);
}

TEST(SequenceInsert, NegativePositionCountsFromTheEnd) {
  auto c =
      OpCase("SequenceInsert", 11).input(floats({{1}, {2}})).input<float>({1}, {9}).input<int64_t>({}, {-1});
  Value v = c.run().at(0);
  ASSERT_EQ(v.items().size(), 3u);
  expect_tensor<float>(v.items()[1], {1}, {9});
}

TEST(SequenceInsert, PositionPastTheEndIsAnError) {
  auto c = OpCase("SequenceInsert", 11).input(floats({{1}})).input<float>({1}, {9}).input<int32_t>({}, {2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "position 2 is outside [-1, 1]");
}

TEST(SequenceInsert, ElementTypeMustMatch) {
  auto c = OpCase("SequenceInsert", 11).input(floats({{1}})).input<int64_t>({1}, {9});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "cannot insert");
}

TEST(SequenceAt, NegativePositionAndBounds) {
  expect_tensor<float>(
      OpCase("SequenceAt", 11).input(floats({{1}, {2, 3}})).input<int64_t>({}, {-1}).run_tensor(), {2},
      {2, 3});
  auto c = OpCase("SequenceAt", 11).input(floats({{1}})).input<int64_t>({}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "position 1 is outside [-1, 0]");
}

TEST(SequenceErase, DefaultsToTheLastAndRejectsEmpty) {
  Value v = OpCase("SequenceErase", 11).input(floats({{1}, {2}})).run().at(0);
  ASSERT_EQ(v.items().size(), 1u);
  expect_tensor<float>(v.items()[0], {1}, {1});
  auto c = OpCase("SequenceErase", 11).input(Value::sequence({}, ElementType::F32));
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "empty sequence");
}

TEST(SequenceLength, CountsItems) {
  expect_tensor<int64_t>(OpCase("SequenceLength", 11).input(floats({{1}, {2}, {3}})).run_tensor(), {}, {3});
}

TEST(SplitToSequence, ScalarSplitLeavesASmallerLastChunk) {
  auto c = OpCase("SplitToSequence", 11).input<int32_t>({5}, {1, 2, 3, 4, 5}).input<int64_t>({}, {2});
  Value v = c.run().at(0);
  ASSERT_EQ(v.items().size(), 3u);
  expect_tensor<int32_t>(v.items()[2], {1}, {5});
}

TEST(SplitToSequence, WithoutSplitKeepdimsZeroDropsTheAxis) {
  auto c =
      OpCase("SplitToSequence", 11).attr("axis", -1).attr("keepdims", 0).input<float>({2, 2}, {1, 2, 3, 4});
  Value v = c.run().at(0);
  ASSERT_EQ(v.items().size(), 2u);
  expect_tensor<float>(v.items()[1], {2}, {2, 4});
}

TEST(SplitToSequence, SizesMustAddUp) {
  auto c = OpCase("SplitToSequence", 11).input<float>({3}, {1, 2, 3}).input<int64_t>({2}, {1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "add up to 2");
}

TEST(SplitToSequence, SplitsStrings) {
  auto c = OpCase("SplitToSequence", 11).input<std::string>({3}, {"a", "b", "c"}).input<int64_t>({2}, {2, 1});
  Value v = c.run().at(0);
  ASSERT_EQ(v.items().size(), 2u);
  EXPECT_EQ(v.items()[0].span<const std::string>()[1], "b");
  EXPECT_EQ(v.items()[1].span<const std::string>()[0], "c");
}

TEST(ConcatFromSequence, ConcatenatesOrStacks) {
  expect_tensor<float>(
      OpCase("ConcatFromSequence", 11).attr("axis", 0).input(floats({{1}, {2, 3}})).run_tensor(), {3},
      {1, 2, 3});
  auto c =
      OpCase("ConcatFromSequence", 11).attr("axis", -1).attr("new_axis", 1).input(floats({{1, 2}, {3, 4}}));
  expect_tensor<float>(c.run_tensor(), {2, 2}, {1, 3, 2, 4});
}

TEST(ConcatFromSequence, MismatchedShapesAreAnError) {
  auto c = OpCase("ConcatFromSequence", 11).attr("axis", 0).attr("new_axis", 1).input(floats({{1}, {2, 3}}));
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "cannot stack");
}

TEST(Optional, EmptyOptionalHasNoElement) {
  expect_tensor<bool>(OpCase("OptionalHasElement", 15).input(Value::none()).run_tensor(), {}, {false});
  expect_tensor<bool>(OpCase("OptionalHasElement", 15).input<float>({1}, {1}).run_tensor(), {}, {true});
  auto c = OpCase("OptionalGetElement", 15).input(Value::none());
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "the optional input is empty");
}

TEST(Optional, WithoutInputMakesAnEmptyOptionalOfItsType) {
  auto c = OpCase("Optional", 15).attr("type", ValueType::tensor(ElementType::F32, PartialShape()));
  EXPECT_TRUE(c.run().at(0).is_none());
  auto d = OpCase("Optional", 15);
  EXPECT_THROW_KIND(d.run(), ErrorKind::InvalidModel, "'type' attribute");
}

}  // namespace
}  // namespace tandem::testing
