// GridSample: every mode x padding x align_corners combination against ONNX's reference, and the
// rounding and shape rules.
#include <string>
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

struct GridCase {
  const char* mode;
  const char* padding;
  int align_corners;
  std::vector<float> expected;
};

TEST(GridSample, MatchesOnnxReferenceInEveryMode) {
  // X = arange(12) as [1, 1, 3, 4]; points inside, outside on both sides and far below.
  const std::vector<float> grid{-1.3f, -1.2f, 0.25f, 0.5f, 1.4f, 0.9f, -0.6f, 2.7f};
  const std::vector<GridCase> cases{
      {"bilinear", "zeros", 0, {0, 9, 0, 0}},
      {"bilinear", "zeros", 1, {0, 7.875f, 4.24f, 0}},
      {"bilinear", "border", 0, {0, 9, 11, 8.3f}},
      {"bilinear", "border", 1, {0, 7.875f, 10.6f, 8.6f}},
      {"bilinear", "reflection", 0, {0.1f, 9, 10.7f, 0.3f}},
      {"bilinear", "reflection", 1, {1.25f, 7.875f, 10, 1.8f}},
      {"nearest", "zeros", 0, {0, 10, 0, 0}},
      {"nearest", "border", 1, {0, 10, 11, 9}},
      {"nearest", "reflection", 0, {0, 10, 11, 0}},
      {"nearest", "reflection", 1, {0, 10, 10, 1}},
      {"bicubic", "zeros", 0, {0.00583f, 10.28906f, -0.85789f, 0}},
      {"bicubic", "zeros", 1, {-0.2977f, 9.13092f, 4.48687f, -0.42903f}},
      {"bicubic", "border", 0, {0, 9.23438f, 11.44363f, 8.23175f}},
      {"bicubic", "border", 1, {0, 8.20898f, 10.699f, 8.504f}},
      {"bicubic", "reflection", 0, {-0.40475f, 9.23438f, 11.45076f, 0.08925f}},
      {"bicubic", "reflection", 1, {0.48219f, 8.58398f, 10.51f, 0.918f}},
  };
  std::vector<float> x(12);
  for (int i = 0; i < 12; ++i) x[i] = float(i);
  for (const GridCase& g : cases) {
    SCOPED_TRACE(std::string(g.mode) + " " + g.padding + " " + std::to_string(g.align_corners));
    auto c = OpCase("GridSample", 16)
                 .attr("mode", g.mode)
                 .attr("padding_mode", g.padding)
                 .attr("align_corners", g.align_corners)
                 .input<float>({1, 1, 3, 4}, x)
                 .input<float>({1, 1, 4, 2}, grid);
    expect_tensor<float>(c.run_tensor(), {1, 1, 1, 4}, g.expected, 1e-4);
  }
}

TEST(GridSample, NearestRoundsHalfToEven) {
  // Width 4: x = -0.5 -> 0.5 -> 0, x = 0.5 -> 2.5 -> 2.
  auto c = OpCase("GridSample", 16)
               .attr("mode", "nearest")
               .input<float>({1, 1, 1, 4}, {10, 11, 12, 13})
               .input<float>({1, 1, 2, 2}, {-0.5f, 0, 0.5f, 0});
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 2}, {10, 12});
}

TEST(GridSample, ChecksShapesAndAttributes) {
  auto batch = OpCase("GridSample", 16)
                   .input<float>({1, 1, 1, 1}, {1})
                   .input<float>({2, 1, 1, 2}, {0, 0, 0, 0});
  EXPECT_THROW_KIND(batch.run(), ErrorKind::InvalidModel, "different batch sizes");
  auto mode = OpCase("GridSample", 16)
                  .attr("mode", "linear")
                  .input<float>({1, 1, 1, 1}, {1})
                  .input<float>({1, 1, 1, 2}, {0, 0});
  EXPECT_THROW_KIND(mode.run(), ErrorKind::InvalidModel, "mode must be bilinear");
  auto nan = OpCase("GridSample", 16)
                 .input<float>({1, 1, 1, 1}, {5})
                 .input<float>({1, 1, 1, 2}, {std::numeric_limits<float>::quiet_NaN(), 0});
  expect_tensor<float>(nan.run_tensor(), {1, 1, 1, 1}, {0});
}

}  // namespace
}  // namespace tandem::testing
