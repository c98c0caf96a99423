// Slice, Gather*, Scatter*, Compress, OneHot: versions, negative steps and indices, bad indices.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Slice, Opset1ReadsAttributes) {
  auto y = OpCase("Slice", 1)
               .attr("starts", std::vector<int64_t>{1})
               .attr("ends", std::vector<int64_t>{1000})
               .attr("axes", std::vector<int64_t>{1})
               .input<int>({2, 3}, {1, 2, 3, 4, 5, 6})
               .run_tensor();
  expect_tensor<int>(y, {2, 2}, {2, 3, 5, 6});
}

TEST(Slice, NegativeStepsWalkBackwardsAndClamp) {
  auto y = OpCase("Slice", 13)
               .input<int>({5}, {0, 1, 2, 3, 4})
               .input<int64_t>({1}, {INT64_MAX})
               .input<int64_t>({1}, {INT64_MIN})
               .omitted_input()
               .input<int64_t>({1}, {-2})
               .run_tensor();
  expect_tensor<int>(y, {3}, {4, 2, 0});
}

TEST(Slice, EmptyWindowAndZeroStep) {
  auto empty = OpCase("Slice", 13)
                   .input<int>({3}, {1, 2, 3})
                   .input<int64_t>({1}, {2})
                   .input<int64_t>({1}, {1})
                   .run_tensor();
  EXPECT_EQ(empty.shape(), (Shape{0}));
  auto zero = OpCase("Slice", 13)
                  .input<int>({3}, {1, 2, 3})
                  .input<int64_t>({1}, {0})
                  .input<int64_t>({1}, {3})
                  .input<int64_t>({1}, {0})
                  .input<int64_t>({1}, {0});
  EXPECT_THROW_KIND(zero.run(), ErrorKind::InvalidModel, "step is 0");
}

TEST(Gather, NegativeIndicesAndOutOfRange) {
  auto y = OpCase("Gather", 13)
               .attr("axis", 1)
               .input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
               .input<int64_t>({2}, {-1, 0})
               .run_tensor();
  expect_tensor<float>(y, {2, 2}, {3, 1, 6, 4});
  auto bad = OpCase("Gather", 13).input<float>({3}, {1, 2, 3}).input<int32_t>({1}, {3});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidArgument, "out of range");
}

TEST(Gather, StringData) {
  auto y =
      OpCase("Gather", 13).input<std::string>({3}, {"a", "b", "c"}).input<int64_t>({2}, {2, 2}).run_tensor();
  expect_tensor<std::string>(y, {2}, {"c", "c"});
}

TEST(GatherElementsAndGatherND, OutOfRangeIndicesAreErrors) {
  auto ge = OpCase("GatherElements", 13).input<float>({2}, {1, 2}).input<int64_t>({2}, {0, -3});
  EXPECT_THROW_KIND(ge.run(), ErrorKind::InvalidArgument, "out of range");
  auto nd = OpCase("GatherND", 13).input<float>({2, 2}, {1, 2, 3, 4}).input<int64_t>({1, 2}, {1, 2});
  EXPECT_THROW_KIND(nd.run(), ErrorKind::InvalidArgument, "out of range");
}

TEST(GatherND, BatchDims) {
  auto y = OpCase("GatherND", 12)
               .attr("batch_dims", 1)
               .input<int>({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7})
               .input<int64_t>({2, 1}, {1, 0})
               .run_tensor();
  expect_tensor<int>(y, {2, 2}, {2, 3, 4, 5});
}

TEST(ScatterElements, ReductionsAndBadIndices) {
  auto add = OpCase("ScatterElements", 16)
                 .attr("reduction", "add")
                 .input<float>({3}, {1, 1, 1})
                 .input<int64_t>({2}, {0, 0})
                 .input<float>({2}, {2, 3})
                 .run_tensor();
  expect_tensor<float>(add, {3}, {6, 1, 1});
  auto mul = OpCase("ScatterElements", 16)
                 .attr("reduction", "mul")
                 .input<int>({3}, {2, 1, 1})
                 .input<int64_t>({2}, {0, -1})
                 .input<int>({2}, {3, 4})
                 .run_tensor();
  expect_tensor<int>(mul, {3}, {6, 1, 4});
  auto bad = OpCase("ScatterElements", 13)
                 .input<float>({3}, {1, 1, 1})
                 .input<int64_t>({1}, {3})
                 .input<float>({1}, {2});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidArgument, "out of range");
}

TEST(Scatter, Opset9IsScatterElements) {
  auto y = OpCase("Scatter", 9)
               .attr("axis", 1)
               .input<float>({1, 3}, {0, 0, 0})
               .input<int32_t>({1, 2}, {2, 0})
               .input<float>({1, 2}, {5, 6})
               .run_tensor();
  expect_tensor<float>(y, {1, 3}, {6, 0, 5});
}

TEST(ScatterND, ReductionAndBadIndices) {
  auto y = OpCase("ScatterND", 16)
               .attr("reduction", "add")
               .input<float>({2, 2}, {1, 1, 1, 1})
               .input<int64_t>({2, 1}, {1, 1})
               .input<float>({2, 2}, {1, 2, 3, 4})
               .run_tensor();
  expect_tensor<float>(y, {2, 2}, {1, 1, 5, 7});
  auto bad =
      OpCase("ScatterND", 13).input<float>({2}, {1, 1}).input<int64_t>({1, 1}, {2}).input<float>({1}, {1});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidArgument, "out of range");
}

TEST(Compress, ShortConditionAndFlattening) {
  auto y = OpCase("Compress", 11)
               .input<int>({2, 2}, {1, 2, 3, 4})
               .input<bool>({3}, {false, true, true})
               .run_tensor();
  expect_tensor<int>(y, {2}, {2, 3});
  auto past =
      OpCase("Compress", 11).attr("axis", 0).input<int>({1, 2}, {1, 2}).input<bool>({2}, {false, true});
  EXPECT_THROW_KIND(past.run(), ErrorKind::InvalidArgument, "past the dim");
}

TEST(OneHot, OutOfRangeIndicesGiveAllOffRows) {
  auto y = OpCase("OneHot", 11)
               .input<int64_t>({3}, {0, -1, 5})
               .input<int64_t>({}, {3})
               .input<float>({2}, {0, 1})
               .run_tensor();
  expect_tensor<float>(y, {3, 3}, {1, 0, 0, 0, 0, 1, 0, 0, 0});
}

}  // namespace
}  // namespace tandem::testing
