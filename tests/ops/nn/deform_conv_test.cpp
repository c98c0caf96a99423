// DeformConv: zero offsets reduce to Conv; fractional offsets interpolate, reading zero outside the
// input; mask and bias; offset shapes and offset groups checked.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

const std::vector<float> kPlane{1, 2, 3, 4, 5, 6, 7, 8, 9};

TEST(DeformConv, ZeroOffsetsAreAConvolution) {
  auto c = OpCase("DeformConv", 19)
               .input<float>({1, 1, 3, 3}, kPlane)
               .input<float>({1, 1, 2, 2}, {1, 1, 1, 1})
               .input<float>({1, 8, 2, 2}, std::vector<float>(32, 0));
  expect_tensor<float>(c.run_tensor(), {1, 1, 2, 2}, {12, 16, 24, 28});
}

TEST(DeformConv, FractionalOffsetsInterpolateWithMaskAndBias) {
  // A 1x1 kernel over [2, 4], each tap moved half a pixel right: 3 at 0.5, and at 1.5 half of 4
  // plus half of the zero beyond the input. The mask halves the second tap; bias 10.
  auto c = OpCase("DeformConv", 22)
               .input<float>({1, 1, 1, 2}, {2, 4})
               .input<float>({1, 1, 1, 1}, {1})
               .input<float>({1, 2, 1, 2}, {0, 0, 0.5f, 0.5f})
               .input<float>({1}, {10})
               .input<float>({1, 1, 1, 2}, {1, 0.5f});
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 2}, {13, 11});
}

TEST(DeformConv, TapsFarOutsideReadZero) {
  auto c = OpCase("DeformConv", 19)
               .input<double>({1, 1, 2}, {2, 4})
               .input<double>({1, 1, 1}, {1})
               .input<double>({1, 1, 2}, {-7.5, 1e30});
  expect_tensor<double>(c.run_tensor(), {1, 1, 2}, {0, 0});
}

TEST(DeformConv, OffsetGroupsSplitTheChannels) {
  // Two channels, one offset group each: channel 0 unmoved, channel 1 shifted one pixel right.
  auto c = OpCase("DeformConv", 19)
               .attr("offset_group", 2)
               .input<float>({1, 2, 3}, {1, 2, 3, 10, 20, 30})
               .input<float>({1, 2, 1}, {1, 1})
               .input<float>({1, 2, 3}, {0, 0, 0, 1, 1, 1});
  expect_tensor<float>(c.run_tensor(), {1, 1, 3}, {21, 32, 3});
}

TEST(DeformConv, WrongOffsetChannelsAreInvalid) {
  auto c = OpCase("DeformConv", 19)
               .input<float>({1, 1, 3, 3}, kPlane)
               .input<float>({1, 1, 2, 2}, {1, 1, 1, 1})
               .input<float>({1, 4, 2, 2}, std::vector<float>(16, 0));
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "offset has shape");
}

TEST(DeformConv, ChannelsMustDivideIntoOffsetGroups) {
  auto c = OpCase("DeformConv", 19)
               .attr("offset_group", 2)
               .input<float>({1, 3, 2}, std::vector<float>(6, 1))
               .input<float>({1, 3, 1}, {1, 1, 1})
               .input<float>({1, 2, 2}, std::vector<float>(4, 0));
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "offset groups");
}

}  // namespace
}  // namespace tandem::testing
