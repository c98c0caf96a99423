// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear: rounding, saturation, per-axis.
#include <limits>
#include <vector>

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

TEST(QuantizeLinear, BlockedFromOpset21) {
  // Blocks of 2 along axis 1: x[:, 0:2] uses scale column 0, x[:, 2:3] column 1.
  auto c = OpCase("QuantizeLinear", 21)
               .attr("axis", 1)
               .attr("block_size", 2)
               .input<float>({2, 3}, {2, 4, 6, 2, 4, 6})
               .input<float>({2, 2}, {1, 2, 2, 1})
               .input<uint8_t>({2, 2}, {0, 0, 0, 10});
  expect_tensor<uint8_t>(c.run_tensor(), {2, 3}, {2, 4, 3, 1, 2, 16});
}

TEST(QuantizeLinear, BlockedScaleShapeMustMatch) {
  auto c = OpCase("QuantizeLinear", 21)
               .attr("axis", 1)
               .attr("block_size", 2)
               .input<float>({2, 3}, {2, 4, 6, 2, 4, 6})
               .input<float>({2, 3}, {1, 1, 1, 1, 1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "expected [2,2]");
}

TEST(QuantizeLinear, Int4SaturatesAndOutputDtypePicksTheType) {
  auto c = OpCase("QuantizeLinear", 21)
               .attr("output_dtype", int64_t(ElementType::I4))
               .input<float>({4}, {-100, -2.5f, 3, 100})
               .input<float>({}, {1});
  Tensor y = c.run_tensor();
  ASSERT_EQ(y.element_type(), ElementType::I4);
  EXPECT_EQ(y.to_int64(), (std::vector<int64_t>{-8, -2, 3, 7}));
}

TEST(QuantizeLinear, OutputDtypeMustMatchTheZeroPoint) {
  auto c = OpCase("QuantizeLinear", 21)
               .attr("output_dtype", int64_t(ElementType::I8))
               .input<float>({1}, {1})
               .input<float>({}, {1})
               .input<uint8_t>({}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "differs from the zero point's type");
}

TEST(QuantizeLinear, Int16NeedsOpset21) {
  auto c = OpCase("QuantizeLinear", 19)
               .input<float>({1}, {1})
               .input<float>({}, {1})
               .input<int16_t>({}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "cannot quantise to i16 at opset 19");
}

TEST(QuantizeLinear, Float8SaturatesUnlessAskedNotTo) {
  auto run = [](int saturate) {
    return OpCase("QuantizeLinear", 19)
        .attr("saturate", saturate)
        .input<float>({2}, {1e6f, -1e6f})
        .input<float>({}, {1})
        .input<float8_e5m2>({}, {float8_e5m2(0.0f)})
        .run_tensor()
        .to_double();
  };
  EXPECT_EQ(run(1), (std::vector<double>{57344, -57344}));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(run(0), (std::vector<double>{inf, -inf}));
}

TEST(QuantizeLinear, PrecisionRoundsTheDivision) {
  // 3014 / 10 = 301.4 rounds to 301.5 in float16 (steps of 0.25), then to even: 302, where the
  // float32 quotient gives 301.
  auto run = [](int64_t precision) {
    return OpCase("QuantizeLinear", 23)
        .attr("precision", precision)
        .input<float>({1}, {3014})
        .input<float>({}, {10})
        .input<uint16_t>({}, {0})
        .run_tensor();
  };
  expect_tensor<uint16_t>(run(int64_t(ElementType::F16)), {1}, {302});
  expect_tensor<uint16_t>(run(0), {1}, {301});
}

TEST(DequantizeLinear, Int4AndOutputDtype) {
  auto c = OpCase("DequantizeLinear", 23)
               .attr("output_dtype", int64_t(ElementType::F16))
               .input<int4>({3}, {int4(-8), int4(0), int4(7)})
               .input<float>({}, {0.5f})
               .input<int4>({}, {int4(-1)});
  Tensor y = c.run_tensor();
  ASSERT_EQ(y.element_type(), ElementType::F16);
  EXPECT_EQ(y.to_double(), (std::vector<double>{-3.5, 0.5, 4}));
}

TEST(DequantizeLinear, BlockedFromOpset21) {
  auto c = OpCase("DequantizeLinear", 21)
               .attr("axis", 0)
               .attr("block_size", 2)
               .input<int8_t>({3}, {1, 2, 3})
               .input<float>({2}, {10, 100});
  expect_tensor<float>(c.run_tensor(), {3}, {10, 20, 300});
}

TEST(DequantizeLinear, OutputMustBeAFloat) {
  auto c = OpCase("DequantizeLinear", 24)
               .input<uint8_t>({1}, {1})
               .input<float8_e8m0>({}, {float8_e8m0(2.0f)});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "(the scale's type)");
  auto ok = OpCase("DequantizeLinear", 24)
                .attr("output_dtype", int64_t(ElementType::F32))
                .input<uint8_t>({1}, {3})
                .input<float8_e8m0>({}, {float8_e8m0(2.0f)});
  expect_tensor<float>(ok.run_tensor(), {1}, {6});
}

}  // namespace
}  // namespace tandem::testing
