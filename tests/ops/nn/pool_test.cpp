// The pools: version differences (ceil_mode, count_include_pad, storage_order, int8 MaxPool, the
// float p of LpPool-1), the global pools, MaxUnpool and MaxRoiPool.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// 3x3 plane 1..9.
const std::vector<float> kPlane{1, 2, 3, 4, 5, 6, 7, 8, 9};

TEST(MaxPool, IndicesInBothStorageOrders) {
  auto row = OpCase("MaxPool", 12)
                 .attr("kernel_shape", std::vector<int64_t>{2, 2})
                 .outputs(2)
                 .input<float>({1, 1, 3, 3}, kPlane);
  auto r = row.run();
  expect_tensor<float>(r[0].tensor(), {1, 1, 2, 2}, {5, 6, 8, 9});
  expect_tensor<int64_t>(r[1].tensor(), {1, 1, 2, 2}, {4, 5, 7, 8});
  auto col = OpCase("MaxPool", 12)
                 .attr("kernel_shape", std::vector<int64_t>{2, 2})
                 .attr("storage_order", 1)
                 .outputs(2)
                 .input<float>({1, 1, 3, 3}, kPlane);
  // Column-major index of (h, w) is h + w * 3.
  expect_tensor<int64_t>(col.run()[1].tensor(), {1, 1, 2, 2}, {4, 7, 5, 8});
}

TEST(MaxPool, CeilModeAddsThePartialWindow) {
  auto floor = OpCase("MaxPool", 10)
                   .attr("kernel_shape", std::vector<int64_t>{2})
                   .attr("strides", std::vector<int64_t>{2})
                   .input<float>({1, 1, 5}, {1, 2, 3, 4, 5});
  expect_tensor<float>(floor.run_tensor(), {1, 1, 2}, {2, 4});
  auto ceil = OpCase("MaxPool", 10)
                  .attr("kernel_shape", std::vector<int64_t>{2})
                  .attr("strides", std::vector<int64_t>{2})
                  .attr("ceil_mode", 1)
                  .input<float>({1, 1, 5}, {1, 2, 3, 4, 5});
  expect_tensor<float>(ceil.run_tensor(), {1, 1, 3}, {2, 4, 5});
}

TEST(MaxPool, DilationsAndInt8FromOpset12) {
  auto c = OpCase("MaxPool", 12)
               .attr("kernel_shape", std::vector<int64_t>{2})
               .attr("dilations", std::vector<int64_t>{2})
               .input<int8_t>({1, 1, 4}, {-128, -5, -7, 3});
  expect_tensor<int8_t>(c.run_tensor(), {1, 1, 2}, {-7, 3});
}

TEST(AveragePool, CountIncludePadFromOpset7) {
  // Width 2 padded by 1 each side, kernel 2: windows [pad,1], [1,3], [3,pad].
  auto c = OpCase("AveragePool", 7)
               .attr("kernel_shape", std::vector<int64_t>{2})
               .attr("pads", std::vector<int64_t>{1, 1})
               .attr("count_include_pad", 1)
               .input<float>({1, 1, 2}, {1, 3});
  expect_tensor<float>(c.run_tensor(), {1, 1, 3}, {.5f, 2, 1.5f});
  auto excluded = OpCase("AveragePool", 7)
                      .attr("kernel_shape", std::vector<int64_t>{2})
                      .attr("pads", std::vector<int64_t>{1, 1})
                      .input<float>({1, 1, 2}, {1, 3});
  expect_tensor<float>(excluded.run_tensor(), {1, 1, 3}, {1, 2, 3});
}

TEST(AveragePool, CeilModeWindowPastThePadsCountsOnlyWhatItCovers) {
  auto c = OpCase("AveragePool", 11)
               .attr("kernel_shape", std::vector<int64_t>{2})
               .attr("strides", std::vector<int64_t>{2})
               .attr("ceil_mode", 1)
               .attr("count_include_pad", 1)
               .input<float>({1, 1, 3}, {1, 2, 4});
  expect_tensor<float>(c.run_tensor(), {1, 1, 2}, {1.5f, 4});
}

TEST(LpPool, Opset1TakesAFloatP) {
  auto c = OpCase("LpPool", 1)
               .attr("kernel_shape", std::vector<int64_t>{2})
               .attr("p", 1.0)
               .input<float>({1, 1, 3}, {-1, 2, -3});
  expect_tensor<float>(c.run_tensor(), {1, 1, 2}, {3, 5});
  auto p2 = OpCase("LpPool", 11)
                .attr("kernel_shape", std::vector<int64_t>{2})
                .input<float>({1, 1, 2}, {3, 4});
  expect_tensor<float>(p2.run_tensor(), {1, 1, 1}, {5});
}

TEST(GlobalPools, ReduceEachPlane) {
  const std::vector<float> x{1, 2, 3, 4, -1, -2, -3, -4};
  expect_tensor<float>(OpCase("GlobalAveragePool", 1).input<float>({1, 2, 2, 2}, x).run_tensor(),
                       {1, 2, 1, 1}, {2.5f, -2.5f});
  expect_tensor<float>(OpCase("GlobalMaxPool", 1).input<float>({2, 1, 4}, x).run_tensor(),
                       {2, 1, 1}, {4, -1});
  expect_tensor<float>(
      OpCase("GlobalLpPool", 2).attr("p", 1).input<float>({1, 1, 8}, x).run_tensor(), {1, 1, 1},
      {20});
}

TEST(MaxUnpool, ScattersToRecordedIndices) {
  auto c = OpCase("MaxUnpool", 11)
               .attr("kernel_shape", std::vector<int64_t>{2})
               .attr("strides", std::vector<int64_t>{2})
               .input<float>({1, 1, 2}, {5, 7})
               .input<int64_t>({1, 1, 2}, {1, 2});
  expect_tensor<float>(c.run_tensor(), {1, 1, 4}, {0, 5, 7, 0});
}

TEST(MaxUnpool, IndexOutsideTheOutputIsAnError) {
  auto c = OpCase("MaxUnpool", 11)
               .attr("kernel_shape", std::vector<int64_t>{2})
               .input<float>({1, 1, 1}, {5})
               .input<int64_t>({1, 1, 1}, {9});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "outside");
}

TEST(MaxRoiPool, PoolsEachRegionIntoTheGrid) {
  // The region (x 0..1, y 1..2) of the 3x3 plane, pooled to 1x2: columns 0 and 1 of rows 1-2.
  auto c = OpCase("MaxRoiPool", 1)
               .attr("pooled_shape", std::vector<int64_t>{1, 2})
               .input<float>({1, 1, 3, 3}, kPlane)
               .input<float>({1, 5}, {0, 0, 1, 1, 2});
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 2}, {7, 8});
}

TEST(AveragePool, DilationsFromOpset19) {
  auto c = OpCase("AveragePool", 19)
               .attr("kernel_shape", std::vector<int64_t>{2})
               .attr("dilations", std::vector<int64_t>{2})
               .input<float>({1, 1, 5}, {1, 2, 3, 4, 5});
  expect_tensor<float>(c.run_tensor(), {1, 1, 3}, {2, 3, 4});
  auto old = OpCase("AveragePool", 11)
                 .attr("kernel_shape", std::vector<int64_t>{2})
                 .attr("dilations", std::vector<int64_t>{2})
                 .input<float>({1, 1, 5}, {1, 2, 3, 4, 5});
  EXPECT_THROW_KIND(old.run(), ErrorKind::InvalidModel, "'dilations' is not defined at opset 11");
}

TEST(LpPool, CeilModeAndDilationsFromOpset18) {
  auto ceil = OpCase("LpPool", 18)
                  .attr("kernel_shape", std::vector<int64_t>{2})
                  .attr("strides", std::vector<int64_t>{2})
                  .attr("ceil_mode", 1)
                  .input<float>({1, 1, 3}, {3, 4, -5});
  expect_tensor<float>(ceil.run_tensor(), {1, 1, 2}, {5, 5});
  auto dilated = OpCase("LpPool", 22)
                     .attr("kernel_shape", std::vector<int64_t>{2})
                     .attr("dilations", std::vector<int64_t>{2})
                     .input<float>({1, 1, 3}, {3, 100, 4});
  expect_tensor<float>(dilated.run_tensor(), {1, 1, 1}, {5});
  auto old = OpCase("LpPool", 11)
                 .attr("kernel_shape", std::vector<int64_t>{2})
                 .attr("ceil_mode", 1)
                 .input<float>({1, 1, 3}, {3, 4, -5});
  EXPECT_THROW_KIND(old.run(), ErrorKind::InvalidModel, "'ceil_mode' is not defined at opset 11");
}

TEST(Pools, Bfloat16FromOpset22) {
  const std::vector<bfloat16> x{1.0f, 2.0f, 3.0f, 4.0f};
  Tensor avg = OpCase("GlobalAveragePool", 22).input<bfloat16>({1, 1, 4}, x).run_tensor();
  ASSERT_EQ(avg.element_type(), ElementType::BF16);
  EXPECT_EQ(float(avg.span<const bfloat16>()[0]), 2.5f);
  Tensor max = OpCase("MaxPool", 22)
                   .attr("kernel_shape", std::vector<int64_t>{2})
                   .input<bfloat16>({1, 1, 4}, x)
                   .run_tensor();
  ASSERT_EQ(max.shape(), (Shape{1, 1, 3}));
  EXPECT_EQ(float(max.span<const bfloat16>()[2]), 4.0f);
}

TEST(Pool, MissingKernelShapeIsInvalid) {
  auto c = OpCase("MaxPool", 12).input<float>({1, 1, 3, 3}, kPlane);
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "kernel_shape");
}

}  // namespace
}  // namespace tandem::testing
