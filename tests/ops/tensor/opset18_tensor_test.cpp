// The tensor family from opset 18 on: Pad axes and wrap, Split num_outputs, Scatter max/min,
// Resize axes, aspect policy and antialias, SpaceToDepth CRD, Range f16, and the new ops
// CenterCropPad, Col2Im, TensorScatter and BitCast.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Pad, Opset18PadsOnlyTheGivenAxes) {
  auto y = OpCase("Pad", 18)
               .input<int>({2, 2}, {1, 2, 3, 4})
               .input<int64_t>({2}, {1, 0})
               .omitted_input()
               .input<int64_t>({1}, {-1})
               .run_tensor();
  expect_tensor<int>(y, {2, 3}, {0, 1, 2, 0, 3, 4});
}

TEST(Pad, WrapNeedsOpset19AndCropsFirst) {
  auto y = OpCase("Pad", 19)
               .attr("mode", "wrap")
               .input<int>({3}, {1, 2, 3})
               .input<int64_t>({2}, {2, 1})
               .run_tensor();
  expect_tensor<int>(y, {6}, {2, 3, 1, 2, 3, 1});
  // Cropping one from the front leaves [2, 3, 4]; wrapping then continues from its start.
  auto crop = OpCase("Pad", 19)
                  .attr("mode", "wrap")
                  .input<int>({4}, {1, 2, 3, 4})
                  .input<int64_t>({2}, {-1, 1})
                  .run_tensor();
  expect_tensor<int>(crop, {4}, {2, 3, 4, 2});
  auto old =
      OpCase("Pad", 18).attr("mode", "wrap").input<int>({1}, {1}).input<int64_t>({2}, {1, 1});
  EXPECT_THROW_KIND(old.run(), ErrorKind::InvalidModel, "needs opset 19");
}

TEST(Pad, AxesRepeatedOrPadsOfTheWrongLengthAreInvalid) {
  auto repeated = OpCase("Pad", 18)
                      .input<int>({2, 2}, {1, 2, 3, 4})
                      .input<int64_t>({4}, {1, 1, 1, 1})
                      .omitted_input()
                      .input<int64_t>({2}, {1, -1});
  EXPECT_THROW_KIND(repeated.run(), ErrorKind::InvalidModel, "repeat");
  auto short_pads = OpCase("Pad", 18)
                        .input<int>({2, 2}, {1, 2, 3, 4})
                        .input<int64_t>({4}, {1, 1, 1, 1})
                        .omitted_input()
                        .input<int64_t>({1}, {0});
  EXPECT_THROW_KIND(short_pads.run(), ErrorKind::InvalidModel, "do not fit");
}

TEST(Split, NumOutputsMakesTheLastPartShorter) {
  auto out = OpCase("Split", 18)
                 .attr("num_outputs", 3)
                 .input<int>({7}, {1, 2, 3, 4, 5, 6, 7})
                 .outputs(3)
                 .run();
  expect_tensor<int>(out[0].tensor(), {3}, {1, 2, 3});
  expect_tensor<int>(out[1].tensor(), {3}, {4, 5, 6});
  expect_tensor<int>(out[2].tensor(), {1}, {7});
  auto mismatch =
      OpCase("Split", 18).attr("num_outputs", 3).input<int>({6}, {1, 2, 3, 4, 5, 6}).outputs(2);
  EXPECT_THROW_KIND(mismatch.run(), ErrorKind::InvalidModel, "num_outputs is 3");
}

TEST(ScatterElements, MaxAndMinNeedOpset18) {
  auto y = OpCase("ScatterElements", 18)
               .attr("reduction", "max")
               .input<float>({3}, {1, 5, 2})
               .input<int64_t>({2}, {1, 2})
               .input<float>({2}, {4, 3})
               .run_tensor();
  expect_tensor<float>(y, {3}, {1, 5, 3});
  auto old = OpCase("ScatterND", 16)
                 .attr("reduction", "min")
                 .input<float>({3}, {1, 5, 2})
                 .input<int64_t>({1, 1}, {0})
                 .input<float>({1}, {0});
  EXPECT_THROW_KIND(old.run(), ErrorKind::InvalidModel, "needs opset 18");
}

TEST(Resize, Opset18AxesAndNotLargerPolicy) {
  // Sizes [4, 4] as a bound on a 2x1 image: one scale (2) for both axes, giving 4x2.
  auto y = OpCase("Resize", 18)
               .attr("keep_aspect_ratio_policy", "not_larger")
               .attr("axes", std::vector<int64_t>{1, 2})
               .input<float>({1, 2, 1}, {1, 2})
               .omitted_input()
               .omitted_input()
               .input<int64_t>({2}, {4, 4})
               .run_tensor();
  expect_tensor<float>(y, {1, 4, 2}, {1, 1, 1, 1, 2, 2, 2, 2});
}

TEST(Resize, AntialiasAveragesWhenShrinking) {
  // Halving [0, 2, 4, 6] with an antialiased linear kernel: each output weighs its four nearest
  // inputs 1/8, 3/8, 3/8, 1/8 (the edge repeated).
  auto y = OpCase("Resize", 18)
               .attr("mode", "linear")
               .attr("antialias", 1)
               .input<float>({4}, {0, 2, 4, 6})
               .omitted_input()
               .input<float>({1}, {0.5f})
               .run_tensor();
  expect_tensor<float>(y, {2},
                       {0.0f / 8 + 0 * 3.0f / 8 + 2 * 3.0f / 8 + 4.0f / 8,
                        2.0f / 8 + 4 * 3.0f / 8 + 6 * 3.0f / 8 + 6.0f / 8});
}

TEST(Resize, HalfPixelSymmetricNeedsOpset19) {
  auto c = OpCase("Resize", 18)
               .attr("coordinate_transformation_mode", "half_pixel_symmetric")
               .input<float>({2}, {0, 1})
               .omitted_input()
               .input<float>({1}, {2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "half_pixel_symmetric");
}

TEST(SpaceToDepth, CrdModeSinceOpset28) {
  std::vector<int> x = {0, 1, 2, 3, 4, 5, 6, 7};  // [1, 2, 2, 2]
  auto crd = OpCase("SpaceToDepth", 28)
                 .attr("blocksize", 2)
                 .attr("mode", "CRD")
                 .input<int>({1, 2, 2, 2}, x)
                 .run_tensor();
  expect_tensor<int>(crd, {1, 8, 1, 1}, {0, 1, 2, 3, 4, 5, 6, 7});
  auto dcr = OpCase("SpaceToDepth", 13)
                 .attr("blocksize", 2)
                 .attr("mode", "CRD")
                 .input<int>({1, 2, 2, 2}, x)
                 .run_tensor();
  expect_tensor<int>(dcr, {1, 8, 1, 1}, {0, 4, 1, 5, 2, 6, 3, 7});
}

TEST(Range, Float16ComputesInFloatAndAcceptsOneElementVectors) {
  auto y = OpCase("Range", 27)
               .input<float16>({}, {float16(2048.0f)})
               .input<float16>({1}, {float16(2054.0f)})
               .input<float16>({}, {float16(2.0f)})
               .run_tensor();
  ASSERT_EQ(y.shape(), (Shape{3}));
  EXPECT_EQ(float(y.data<float16>()[2]), 2052.0f);
  auto bad = OpCase("Range", 27)
                 .attr("stash_type", 10)
                 .input<float16>({}, {float16(0.0f)})
                 .input<float16>({}, {float16(1.0f)})
                 .input<float16>({}, {float16(1.0f)});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidModel, "stash_type");
}

TEST(CenterCropPad, CropsLeftOfCentreAndPadsRightOfCentre) {
  auto crop = OpCase("CenterCropPad", 18)
                  .input<int>({4}, {1, 2, 3, 4})
                  .input<int64_t>({1}, {1})
                  .run_tensor();
  expect_tensor<int>(crop, {1}, {2});
  auto pad = OpCase("CenterCropPad", 18).input<int>({1}, {7}).input<int64_t>({1}, {4}).run_tensor();
  expect_tensor<int>(pad, {4}, {0, 7, 0, 0});
  auto axes = OpCase("CenterCropPad", 18)
                  .attr("axes", std::vector<int64_t>{-1})
                  .input<int>({2, 3}, {1, 2, 3, 4, 5, 6})
                  .input<int64_t>({1}, {1})
                  .run_tensor();
  expect_tensor<int>(axes, {2, 1}, {2, 5});
  auto bad = OpCase("CenterCropPad", 18).input<int>({2, 2}, {1, 2, 3, 4}).input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidModel, "does not fit");
}

TEST(Col2Im, OverlappingBlocksAdd) {
  // A 1-D-like image [1, 3] from 2 blocks of [1, 2] at stride 1: the middle pixel gets two values.
  auto y = OpCase("Col2Im", 18)
               .input<float>({1, 2, 2}, {1, 2, 10, 20})
               .input<int64_t>({2}, {1, 3})
               .input<int64_t>({2}, {1, 2})
               .run_tensor();
  expect_tensor<float>(y, {1, 1, 1, 3}, {1, 12, 20});
  auto bad = OpCase("Col2Im", 18)
                 .input<float>({1, 2, 3}, {1, 2, 3, 4, 5, 6})
                 .input<int64_t>({2}, {1, 3})
                 .input<int64_t>({2}, {1, 2});
  EXPECT_THROW_KIND(bad.run(), ErrorKind::InvalidArgument, "is not [N, C * 2, 2]");
}

TEST(TensorScatter, LinearOverflowIsAnErrorCircularWraps) {
  auto wrap = OpCase("TensorScatter", 24)
                  .attr("mode", "circular")
                  .attr("axis", 1)
                  .input<int>({1, 3}, {0, 0, 0})
                  .input<int>({1, 2}, {7, 8})
                  .input<int64_t>({1}, {2})
                  .run_tensor();
  expect_tensor<int>(wrap, {1, 3}, {8, 0, 7});
  auto linear = OpCase("TensorScatter", 24)
                    .attr("axis", 1)
                    .input<int>({1, 3}, {0, 0, 0})
                    .input<int>({1, 2}, {7, 8})
                    .input<int64_t>({1}, {2});
  EXPECT_THROW_KIND(linear.run(), ErrorKind::InvalidArgument, "overflows");
  auto batch_axis =
      OpCase("TensorScatter", 24).attr("axis", 0).input<int>({1, 1}, {0}).input<int>({1, 1}, {1});
  EXPECT_THROW_KIND(batch_axis.run(), ErrorKind::InvalidModel, "batch");
}

TEST(BitCast, KeepsBitsAndRefusesOtherWidths) {
  auto y = OpCase("BitCast", 26)
               .attr("to", int64_t(ElementType::I32))
               .input<float>({1}, {1.0f})
               .run_tensor();
  expect_tensor<int32_t>(y, {1}, {0x3f800000});
  auto wide = OpCase("BitCast", 26).attr("to", int64_t(ElementType::I64)).input<float>({1}, {1.0f});
  EXPECT_THROW_KIND(wide.run(), ErrorKind::InvalidModel, "cannot be bitcast");
  auto not_bool =
      OpCase("BitCast", 26).attr("to", int64_t(ElementType::Bool)).input<uint8_t>({2}, {1, 2});
  EXPECT_THROW_KIND(not_bool.run(), ErrorKind::InvalidArgument, "not a bool");
}

}  // namespace
}  // namespace tandem::testing
