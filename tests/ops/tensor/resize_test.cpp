// Resize and Upsample: the opset 10 rules, sizes, coordinate modes, extrapolation, integer types.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Resize, Opset10NearestIsAsymmetricAndFloors) {
  auto y = OpCase("Resize", 10).input<float>({1, 3}, {1, 2, 3}).input<float>({2}, {1, 2}).run_tensor();
  expect_tensor<float>(y, {1, 6}, {1, 1, 2, 2, 3, 3});
}

TEST(Resize, Opset10LinearIsAsymmetric) {
  auto y = OpCase("Resize", 10)
               .attr("mode", "linear")
               .input<float>({2}, {0, 4})
               .input<float>({1}, {2})
               .run_tensor();
  expect_tensor<float>(y, {4}, {0, 2, 4, 4});
}

TEST(Resize, SizesWithHalfPixelLinear) {
  auto y = OpCase("Resize", 13)
               .attr("mode", "linear")
               .input<float>({2}, {0, 4})
               .omitted_input()
               .omitted_input()
               .input<int64_t>({1}, {4})
               .run_tensor();
  expect_tensor<float>(y, {4}, {0, 1, 3, 4});
}

TEST(Resize, ScalesAndSizesTogetherAreInvalid) {
  auto c = OpCase("Resize", 13)
               .input<float>({2}, {0, 4})
               .omitted_input()
               .input<float>({1}, {2})
               .input<int64_t>({1}, {4});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "not both");
}

TEST(Resize, CropAndResizeExtrapolates) {
  auto y = OpCase("Resize", 11)
               .attr("mode", "linear")
               .attr("coordinate_transformation_mode", "tf_crop_and_resize")
               .attr("extrapolation_value", 7.0)
               .input<float>({3}, {0, 1, 2})
               .input<float>({2}, {0.5f, 1.5f})
               .input<float>({1}, {1})
               .run_tensor();
  expect_tensor<float>(y, {3}, {1, 2, 7});
}

TEST(Resize, IntegerLinearRoundsToNearest) {
  auto y = OpCase("Resize", 13)
               .attr("mode", "linear")
               .attr("coordinate_transformation_mode", "align_corners")
               .input<uint8_t>({2}, {0, 3})
               .omitted_input()
               .omitted_input()
               .input<int64_t>({1}, {3})
               .run_tensor();
  expect_tensor<uint8_t>(y, {3}, {0, 2, 3});
}

TEST(Resize, NearestModes) {
  auto run = [](const char* mode) {
    return OpCase("Resize", 13)
        .attr("nearest_mode", mode)
        .attr("coordinate_transformation_mode", "asymmetric")
        .input<int>({4}, {1, 2, 3, 4})
        .omitted_input()
        .input<float>({1}, {0.6f})
        .run_tensor();
  };
  // Output 2 of size floor(4 * 0.6) = 2; x = 0, 1/0.6 = 1.67.
  expect_tensor<int>(run("floor"), {2}, {1, 2});
  expect_tensor<int>(run("ceil"), {2}, {1, 3});
  expect_tensor<int>(run("round_prefer_floor"), {2}, {1, 3});
}

TEST(Upsample, Opset7ScalesAttribute) {
  auto y =
      OpCase("Upsample", 7).attr("scales", std::vector<float>{2, 1}).input<int>({1, 2}, {1, 2}).run_tensor();
  expect_tensor<int>(y, {2, 2}, {1, 2, 1, 2});
}

}  // namespace
}  // namespace tandem::testing
