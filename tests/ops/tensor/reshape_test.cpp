// Reshape, Squeeze, Unsqueeze, Flatten, Split: version differences, inference from constants, errors.
#include <gtest/gtest.h>

#include "ops/op_case.h"
#include "ops/registry.h"

namespace tandem::testing {
namespace {

// Runs an op's inference alone, as the compiler does: types known, values only for constants.
std::vector<ValueType> infer(const std::string& op, int opset, std::vector<ValueType> types,
                             std::vector<const Value*> values,
                             std::map<std::string, ir::Attribute> attrs = {}, int outputs = 1) {
  ir::Node node;
  node.name = "n";
  node.op_type = op;
  node.attributes = std::move(attrs);
  std::vector<const ValueType*> type_ptrs;
  for (size_t i = 0; i < types.size(); ++i) {
    node.inputs.push_back("x" + std::to_string(i));
    type_ptrs.push_back(&types[i]);
  }
  for (int i = 0; i < outputs; ++i) node.outputs.push_back("y" + std::to_string(i));
  values.resize(types.size(), nullptr);
  ops::InferContext ctx(node, opset, type_ptrs, values);
  ops::Registry::global().find("", op)->infer(ctx);
  return ctx.outputs();
}

TEST(Reshape, ZeroCopiesTheInputDimAndMinusOneIsInferred) {
  auto y = OpCase("Reshape", 13)
               .input<float>({2, 3, 4}, std::vector<float>(24))
               .input<int64_t>({2}, {0, -1})
               .run_tensor();
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
}

TEST(Reshape, AllowZeroMakesZeroARealDim) {
  auto y = OpCase("Reshape", 14)
               .attr("allowzero", 1)
               .input<float>({0, 3}, {})
               .input<int64_t>({2}, {3, 0})
               .run_tensor();
  EXPECT_EQ(y.shape(), (Shape{3, 0}));
}

TEST(Reshape, AllowZeroWithMinusOneIsInvalid) {
  auto c = OpCase("Reshape", 14).attr("allowzero", 1).input<float>({0, 3}, {}).input<int64_t>({2}, {-1, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "both -1 and 0");
}

TEST(Reshape, Opset4ReadsTheShapeAttribute) {
  auto y = OpCase("Reshape", 4)
               .attr("shape", std::vector<int64_t>{3, 2})
               .input<int>({2, 3}, {1, 2, 3, 4, 5, 6})
               .run_tensor();
  expect_tensor<int>(y, {3, 2}, {1, 2, 3, 4, 5, 6});
}

TEST(Reshape, SizeMismatchAndTwoMinusOnesAreErrors) {
  auto bad_size = OpCase("Reshape", 13).input<float>({6}, std::vector<float>(6)).input<int64_t>({2}, {4, 2});
  EXPECT_THROW_KIND(bad_size.run(), ErrorKind::InvalidModel, "cannot reshape");
  auto two = OpCase("Reshape", 13).input<float>({6}, std::vector<float>(6)).input<int64_t>({2}, {-1, -1});
  EXPECT_THROW_KIND(two.run(), ErrorKind::InvalidModel, "more than one -1");
}

TEST(Reshape, StringsAreCopied) {
  auto y = OpCase("Reshape", 13)
               .input<std::string>({2, 2}, {"a", "b", "c", "d"})
               .input<int64_t>({1}, {4})
               .run_tensor();
  expect_tensor<std::string>(y, {4}, {"a", "b", "c", "d"});
}

TEST(Reshape, InfersTheExactShapeFromAConstantTarget) {
  Value target(Tensor::from<int64_t>({0, -1, 2}));
  auto out = infer(
      "Reshape", 13,
      {ValueType::tensor(ElementType::F32, PartialShape({Dimension::named("n"), Dimension(6), Dimension(4)})),
       ValueType::tensor(ElementType::I64, PartialShape(std::vector<int64_t>{3}))},
      {nullptr, &target});
  ASSERT_TRUE(out[0].shape.rank_known());
  EXPECT_EQ(to_string(out[0].shape), "[n,?,2]");
  Value target2(Tensor::from<int64_t>({-1, 8}));
  out = infer("Reshape", 13,
              {ValueType::tensor(ElementType::F32, PartialShape(std::vector<int64_t>{2, 3, 4})),
               ValueType::tensor(ElementType::I64, PartialShape(std::vector<int64_t>{2}))},
              {nullptr, &target2});
  EXPECT_EQ(to_string(out[0].shape), "[3,8]");
}

TEST(Reshape, UnknownTargetGivesTheRankFromItsLength) {
  auto out = infer("Reshape", 13,
                   {ValueType::tensor(ElementType::F32, PartialShape(std::vector<int64_t>{2, 3})),
                    ValueType::tensor(ElementType::I64, PartialShape(std::vector<int64_t>{3}))},
                   {});
  EXPECT_EQ(to_string(out[0].shape), "[?,?,?]");
}

TEST(Squeeze, Opset11AttributeAndOpset13Input) {
  auto a =
      OpCase("Squeeze", 11).attr("axes", std::vector<int64_t>{-1}).input<float>({2, 1}, {1, 2}).run_tensor();
  EXPECT_EQ(a.shape(), (Shape{2}));
  auto b = OpCase("Squeeze", 13).input<float>({1, 2, 1}, {1, 2}).input<int64_t>({1}, {0}).run_tensor();
  EXPECT_EQ(b.shape(), (Shape{2, 1}));
  auto all = OpCase("Squeeze", 13).input<float>({1, 2, 1}, {1, 2}).run_tensor();
  EXPECT_EQ(all.shape(), (Shape{2}));
}

TEST(Squeeze, ADimThatIsNotOneIsAnError) {
  auto c = OpCase("Squeeze", 13).input<float>({2, 1}, {1, 2}).input<int64_t>({1}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "cannot squeeze");
}

TEST(Unsqueeze, AxesCountInTheOutputRank) {
  auto a = OpCase("Unsqueeze", 1)
               .attr("axes", std::vector<int64_t>{0, 3})
               .input<float>({2, 3}, std::vector<float>(6))
               .run_tensor();
  EXPECT_EQ(a.shape(), (Shape{1, 2, 3, 1}));
  auto b = OpCase("Unsqueeze", 13)
               .input<float>({2, 3}, std::vector<float>(6))
               .input<int64_t>({2}, {-1, 1})
               .run_tensor();
  EXPECT_EQ(b.shape(), (Shape{2, 1, 3, 1}));
  auto dup = OpCase("Unsqueeze", 13).input<float>({2}, {1, 2}).input<int64_t>({2}, {0, 0});
  EXPECT_THROW_KIND(dup.run(), ErrorKind::InvalidModel, "repeated");
}

TEST(Flatten, AxisZeroAndNegativeAxis) {
  auto a = OpCase("Flatten", 1).attr("axis", 0).input<float>({2, 3}, std::vector<float>(6)).run_tensor();
  EXPECT_EQ(a.shape(), (Shape{1, 6}));
  auto b =
      OpCase("Flatten", 11).attr("axis", -1).input<float>({2, 3, 4}, std::vector<float>(24)).run_tensor();
  EXPECT_EQ(b.shape(), (Shape{6, 4}));
  auto past = OpCase("Flatten", 13).attr("axis", 3).input<float>({2, 3}, std::vector<float>(6));
  EXPECT_THROW_KIND(past.run(), ErrorKind::InvalidModel, "out of range");
}

TEST(Split, Opset2AttributeAndOpset13Input) {
  auto a = OpCase("Split", 2)
               .attr("split", std::vector<int64_t>{1, 2})
               .input<int>({3}, {1, 2, 3})
               .outputs(2)
               .run();
  expect_tensor<int>(a[0].tensor(), {1}, {1});
  expect_tensor<int>(a[1].tensor(), {2}, {2, 3});
  auto b = OpCase("Split", 13)
               .attr("axis", 1)
               .input<int>({2, 3}, {1, 2, 3, 4, 5, 6})
               .input<int64_t>({2}, {2, 1})
               .outputs(2)
               .run();
  expect_tensor<int>(b[0].tensor(), {2, 2}, {1, 2, 4, 5});
  expect_tensor<int>(b[1].tensor(), {2, 1}, {3, 6});
}

TEST(Split, UnevenEqualSplitAndWrongSumAreErrors) {
  auto uneven = OpCase("Split", 13).input<int>({3}, {1, 2, 3}).outputs(2);
  EXPECT_THROW_KIND(uneven.run(), ErrorKind::InvalidModel, "equal parts");
  auto sum = OpCase("Split", 13).input<int>({3}, {1, 2, 3}).input<int64_t>({2}, {1, 1}).outputs(2);
  EXPECT_THROW_KIND(sum.run(), ErrorKind::InvalidModel, "do not add up");
}

TEST(Split, InfersEveryPartFromAConstantSplit) {
  Value split(Tensor::from<int64_t>({1, 3}));
  auto out = infer("Split", 13,
                   {ValueType::tensor(ElementType::F32, PartialShape({Dimension::named("n"), Dimension(4)})),
                    ValueType::tensor(ElementType::I64, PartialShape(std::vector<int64_t>{2}))},
                   {nullptr, &split}, {{"axis", int64_t(1)}}, 2);
  EXPECT_EQ(to_string(out[0].shape), "[n,1]");
  EXPECT_EQ(to_string(out[1].shape), "[n,3]");
}

TEST(Slice, InfersSlicedDimsFromConstantsAndKeepsTheOthers) {
  Value starts(Tensor::from<int64_t>({1})), ends(Tensor::from<int64_t>({-1})), axes(Tensor::from<int64_t>({1}));
  auto out = infer("Slice", 13,
                   {ValueType::tensor(ElementType::F32, PartialShape({Dimension::named("n"), Dimension(10)})),
                    ValueType::tensor(ElementType::I64, PartialShape(std::vector<int64_t>{1})),
                    ValueType::tensor(ElementType::I64, PartialShape(std::vector<int64_t>{1})),
                    ValueType::tensor(ElementType::I64, PartialShape(std::vector<int64_t>{1}))},
                   {nullptr, &starts, &ends, &axes});
  EXPECT_EQ(to_string(out[0].shape), "[n,8]");
}

TEST(Expand, InfersTheBroadcastShapeFromAConstant) {
  Value shape(Tensor::from<int64_t>({2, 1, 4}));
  auto out = infer("Expand", 13,
                   {ValueType::tensor(ElementType::F32, PartialShape({Dimension::named("n"), Dimension(1)})),
                    ValueType::tensor(ElementType::I64, PartialShape(std::vector<int64_t>{3}))},
                   {nullptr, &shape});
  EXPECT_EQ(to_string(out[0].shape), "[2,n,4]");
}

}  // namespace
}  // namespace tandem::testing
