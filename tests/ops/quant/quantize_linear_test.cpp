// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear: rounding, saturation, per-axis.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(QuantizeLinear, RoundsHalfToEvenAndSaturates) {
  auto c = OpCase("QuantizeLinear", 13)
               .input<float>({6}, {0.5f, 1.5f, 2.5f, -2.5f, 1000, -1000})
               .input<float>({}, {1})
               .input<int8_t>({}, {0});
  expect_tensor<int8_t>(c.run_tensor(), {6}, {0, 2, 2, -2, 127, -128});
}

TEST(QuantizeLinear, WithoutZeroPointGivesUint8) {
  auto c = OpCase("QuantizeLinear", 10).input<float>({3}, {-1, 2, 600}).input<float>({}, {2});
  expect_tensor<uint8_t>(c.run_tensor(), {3}, {0, 1, 255});
}

TEST(QuantizeLinear, PerAxisFromOpset13) {
  auto c = OpCase("QuantizeLinear", 13)
               .attr("axis", 0)
               .input<float>({2, 2}, {2, 4, 2, 4})
               .input<float>({2}, {1, 2})
               .input<uint8_t>({2}, {10, 20});
  expect_tensor<uint8_t>(c.run_tensor(), {2, 2}, {12, 14, 21, 22});
}

TEST(QuantizeLinear, PerAxisBeforeOpset13IsAnError) {
  auto c = OpCase("QuantizeLinear", 10)
               .input<float>({2, 2}, {2, 4, 2, 4})
               .input<float>({2}, {1, 2})
               .input<uint8_t>({2}, {10, 20});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "scale must be a scalar");
}

TEST(DequantizeLinear, Int32WithoutZeroPoint) {
  auto c = OpCase("DequantizeLinear", 13).input<int32_t>({3}, {-4, 0, 6}).input<float>({}, {0.5f});
  expect_tensor<float>(c.run_tensor(), {3}, {-2, 0, 3});
}

TEST(DequantizeLinear, PerAxisScaleMustMatchTheAxis) {
  auto c = OpCase("DequantizeLinear", 13)
               .input<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6})
               .input<float>({2}, {1, 2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "per-axis scale has 2 elements");
}

TEST(DynamicQuantizeLinear, AllZerosTakeScaleOne) {
  auto out = OpCase("DynamicQuantizeLinear", 11).input<float>({2}, {0, 0}).outputs(3).run();
  expect_tensor<uint8_t>(out[0].tensor(), {2}, {0, 0});
  expect_tensor<float>(out[1].tensor(), {}, {1});
  expect_tensor<uint8_t>(out[2].tensor(), {}, {0});
}

}  // namespace
}  // namespace tandem::testing
