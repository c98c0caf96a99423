// TopK (k as attribute, then input), ties, and ArgMax/ArgMin tie-breaking.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(TopK, Opset1TakesKFromTheAttribute) {
  auto out = OpCase("TopK", 1).attr("k", 2).input<float>({4}, {1, 4, 2, 3}).outputs(2).run();
  expect_tensor<float>(out[0].tensor(), {2}, {4, 3});
  expect_tensor<int64_t>(out[1].tensor(), {2}, {1, 3});
}

TEST(TopK, TiesKeepTheLowerIndexFirst) {
  auto largest = OpCase("TopK", 11)
                     .input<int32_t>({5}, {2, 5, 2, 5, 1})
                     .input<int64_t>({1}, {3})
                     .outputs(2)
                     .run();
  expect_tensor<int32_t>(largest[0].tensor(), {3}, {5, 5, 2});
  expect_tensor<int64_t>(largest[1].tensor(), {3}, {1, 3, 0});
  auto smallest = OpCase("TopK", 11)
                      .attr("largest", 0)
                      .input<int32_t>({5}, {2, 5, 2, 5, 1})
                      .input<int64_t>({1}, {3})
                      .outputs(2)
                      .run();
  expect_tensor<int32_t>(smallest[0].tensor(), {3}, {1, 2, 2});
  expect_tensor<int64_t>(smallest[1].tensor(), {3}, {4, 0, 2});
}

TEST(TopK, AlongAnInnerAxis) {
  auto out = OpCase("TopK", 10)
                 .attr("axis", 0)
                 .input<float>({3, 2}, {1, 6, 5, 2, 3, 4})
                 .input<int64_t>({1}, {1})
                 .outputs(2)
                 .run();
  expect_tensor<float>(out[0].tensor(), {1, 2}, {5, 6});
  expect_tensor<int64_t>(out[1].tensor(), {1, 2}, {1, 0});
}

TEST(TopK, KAboveTheAxisSizeIsAnError) {
  auto c = OpCase("TopK", 11).input<float>({2}, {1, 2}).input<int64_t>({1}, {3}).outputs(2);
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "K 3 is outside [0, 2]");
}

TEST(ArgMax, SelectLastIndexFromOpset12) {
  auto first = OpCase("ArgMax", 13).attr("keepdims", 0).input<float>({3}, {2, 2, 1});
  expect_tensor<int64_t>(first.run_tensor(), {}, {0});
  auto last = OpCase("ArgMax", 13)
                  .attr("keepdims", 0)
                  .attr("select_last_index", 1)
                  .input<float>({3}, {2, 2, 1});
  expect_tensor<int64_t>(last.run_tensor(), {}, {1});
}

TEST(ArgMin, EmptyAxisIsAnError) {
  auto c = OpCase("ArgMin", 13).attr("axis", 1).input<float>({2, 0}, {});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "along empty axis 1");
}

TEST(CumSum, ExclusiveReverse) {
  auto c = OpCase("CumSum", 14)
               .attr("exclusive", 1)
               .attr("reverse", 1)
               .input<int64_t>({4}, {1, 2, 3, 4})
               .input<int32_t>({}, {0});
  expect_tensor<int64_t>(c.run_tensor(), {4}, {9, 7, 4, 0});
}

}  // namespace
}  // namespace tandem::testing
