// NonMaxSuppression: optional inputs, ties, thresholds at the boundary, shape errors.
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// Three boxes [y1, x1, y2, x2]: 0 and 1 overlap with IoU 0.5 exactly, 2 is apart.
OpCase nms() {
  return OpCase("NonMaxSuppression", 11)
      .input<float>({1, 3, 4}, {0, 0, 1, 2, 0, 0, 1, 1, 5, 5, 6, 6})
      .input<float>({1, 1, 3}, {0.9f, 0.8f, 0.7f});
}

TEST(NonMaxSuppression, WithoutMaxOutputSelectsNothing) {
  EXPECT_EQ(nms().run_tensor().shape(), (Shape{0, 3}));
}

TEST(NonMaxSuppression, IouEqualToTheThresholdIsKept) {
  auto kept = nms().input<int64_t>({1}, {10}).input<float>({1}, {0.5f});
  expect_tensor<int64_t>(kept.run_tensor(), {3, 3}, {0, 0, 0, 0, 0, 1, 0, 0, 2});
  auto suppressed = nms().input<int64_t>({1}, {10}).input<float>({1}, {0.4f});
  expect_tensor<int64_t>(suppressed.run_tensor(), {2, 3}, {0, 0, 0, 0, 0, 2});
}

TEST(NonMaxSuppression, ScoreThresholdIsStrictAndTiesKeepTheLowerIndex) {
  auto c = OpCase("NonMaxSuppression", 10)
               .input<float>({1, 3, 4}, {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5})
               .input<float>({1, 1, 3}, {0.5f, 0.7f, 0.7f})
               .input<int64_t>({}, {2})
               .omitted_input()
               .input<float>({}, {0.5f});
  expect_tensor<int64_t>(c.run_tensor(), {2, 3}, {0, 0, 1, 0, 0, 2});
}

TEST(NonMaxSuppression, RejectsMismatchedShapes) {
  auto c = OpCase("NonMaxSuppression", 11)
               .input<float>({1, 2, 4}, {0, 0, 1, 1, 0, 0, 1, 1})
               .input<float>({1, 1, 3}, {1, 1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "disagree");
}

}  // namespace
}  // namespace tandem::testing
