// RoiAlign: both coordinate transformations, both pooling modes, the opset 10 default, errors.
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

OpCase roi_case(int opset) {
  std::vector<float> x(25);
  for (int i = 0; i < 25; ++i) x[i] = float(i);
  return OpCase("RoiAlign", opset)
      .attr("output_height", 2)
      .attr("output_width", 2)
      .input<float>({1, 1, 5, 5}, x)
      .input<float>({2, 4}, {0.5f, 0.5f, 3.2f, 2.9f, 1, 1, 1, 1})
      .input<int64_t>({2}, {0, 0});
}

// Expected values from onnx.reference (which follows ONNX Runtime).
TEST(RoiAlign, HalfPixelIsTheOpset16Default) {
  expect_tensor<float>(roi_case(16).run_tensor(), {2, 1, 2, 2},
                       {3.675f, 5.025f, 9.675f, 11.025f, 0, 0, 0, 0}, 1e-4);
  expect_tensor<float>(roi_case(16).attr("mode", "max").run_tensor(), {2, 1, 2, 2},
                       {5.3325f, 4.33125f, 9.77625f, 7.425f, 0, 0, 0, 0}, 1e-4);
}

TEST(RoiAlign, Opset10BehavesAsOutputHalfPixel) {
  const std::vector<float> avg{6.675f, 8.025f, 12.675f, 14.025f, 7.5f, 8, 10, 10.5f};
  expect_tensor<float>(roi_case(10).run_tensor(), {2, 1, 2, 2}, avg, 1e-4);
  expect_tensor<float>(
      roi_case(16).attr("coordinate_transformation_mode", "output_half_pixel").run_tensor(),
      {2, 1, 2, 2}, avg, 1e-4);
  expect_tensor<float>(roi_case(10).attr("mode", "max").run_tensor(), {2, 1, 2, 2},
                       {4.02f, 5.52f, 9.2125f, 11.2125f, 3.375f, 3.9375f, 6.1875f, 6.75f}, 1e-4);
}

TEST(RoiAlign, RejectsBadBatchIndicesAndModes) {
  auto index = OpCase("RoiAlign", 16)
                   .input<float>({1, 1, 2, 2}, {1, 2, 3, 4})
                   .input<float>({1, 4}, {0, 0, 1, 1})
                   .input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(index.run(), ErrorKind::InvalidArgument, "batch index 1 of roi 0");
  auto mode = OpCase("RoiAlign", 16)
                  .attr("mode", "sum")
                  .input<float>({1, 1, 2, 2}, {1, 2, 3, 4})
                  .input<float>({1, 4}, {0, 0, 1, 1})
                  .input<int64_t>({1}, {0});
  EXPECT_THROW_KIND(mode.run(), ErrorKind::InvalidModel, "mode must be 'avg' or 'max'");
}

}  // namespace
}  // namespace tandem::testing
