// GroupNormalization: per-group parameters in opset 18, per-channel ones and stash_type in 21.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// Two channels of two values each, one group: mean 2.5, variance 1.25 over {1, 2, 3, 4}.
constexpr float kInvStd = 0.894427191f;  // 1 / sqrt(1.25)

TEST(GroupNormalization, Opset18ScalesPerGroup) {
  auto c = OpCase("GroupNormalization", 18)
               .attr("num_groups", 1)
               .attr("epsilon", 0.0f)
               .input<float>({1, 2, 2}, {1, 2, 3, 4})
               .input<float>({1}, {2})
               .input<float>({1}, {1});
  expect_tensor<float>(c.run_tensor(), {1, 2, 2},
                       {1 - 3 * kInvStd, 1 - kInvStd, 1 + kInvStd, 1 + 3 * kInvStd});
}

TEST(GroupNormalization, Opset21ScalesPerChannel) {
  auto c = OpCase("GroupNormalization", 21)
               .attr("num_groups", 1)
               .attr("epsilon", 0.0f)
               .input<float>({1, 2, 2}, {1, 2, 3, 4})
               .input<float>({2}, {1, 2})
               .input<float>({2}, {0, 10});
  expect_tensor<float>(c.run_tensor(), {1, 2, 2},
                       {-1.5f * kInvStd, -0.5f * kInvStd, 10 + kInvStd, 10 + 3 * kInvStd});
}

TEST(GroupNormalization, GroupsNormaliseSeparately) {
  auto c = OpCase("GroupNormalization", 21)
               .attr("num_groups", 2)
               .attr("epsilon", 0.0f)
               .input<float>({1, 2, 2}, {1, 3, 10, 30})
               .input<float>({2}, {1, 1})
               .input<float>({2}, {0, 0});
  expect_tensor<float>(c.run_tensor(), {1, 2, 2}, {-1, 1, -1, 1});
}

TEST(GroupNormalization, Opset21RejectsPerGroupParameters) {
  auto c = OpCase("GroupNormalization", 21)
               .attr("num_groups", 1)
               .input<float>({1, 2, 2}, {1, 2, 3, 4})
               .input<float>({1}, {1})
               .input<float>({1}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "expected [2]");
}

TEST(GroupNormalization, GroupsMustDivideChannels) {
  auto c = OpCase("GroupNormalization", 21)
               .attr("num_groups", 2)
               .input<float>({1, 3, 1}, {1, 2, 3})
               .input<float>({3}, {1, 1, 1})
               .input<float>({3}, {0, 0, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "does not divide the 3 channels");
}

TEST(GroupNormalization, StashTypeMustBeAFloat) {
  auto c = OpCase("GroupNormalization", 21)
               .attr("num_groups", 1)
               .attr("stash_type", 7)
               .input<float>({1, 1, 2}, {1, 2})
               .input<float>({1}, {1})
               .input<float>({1}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "stash_type 7");
}

}  // namespace
}  // namespace tandem::testing
