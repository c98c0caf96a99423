// MatMulInteger and QLinearMatMul: zero points per row and column, rounding and saturation; Det.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(MatMulInteger, PerRowAndPerColumnZeroPoints) {
  auto c = OpCase("MatMulInteger", 10)
               .input<uint8_t>({2, 1}, {10, 20})
               .input<uint8_t>({1, 2}, {5, 7})
               .input<uint8_t>({2}, {9, 18})  // per row of A: rows become 1, 2
               .input<uint8_t>({2}, {4, 5});  // per column of B: columns become 1, 2
  expect_tensor<int32_t>(c.run_tensor(), {2, 2}, {1, 2, 2, 4});
}

TEST(MatMulInteger, SignedWithoutZeroPoints) {
  auto c = OpCase("MatMulInteger", 10)
               .input<int8_t>({1, 2}, {-128, 127})
               .input<int8_t>({2}, {-128, 127});
  expect_tensor<int32_t>(c.run_tensor(), {1}, {128 * 128 + 127 * 127});
}

TEST(QLinearMatMul, RoundsHalfToEvenAndSaturates) {
  // acc = 3 * [1, 3, 250] = [3, 9, 750]; times 0.5: 1.5 -> 2, 4.5 -> 4, 375 -> 255.
  auto c = OpCase("QLinearMatMul", 10)
               .input<uint8_t>({1, 1}, {3})
               .input<float>({}, {1.0f})
               .input<uint8_t>({}, {0})
               .input<uint8_t>({1, 3}, {1, 3, 250})
               .input<float>({}, {0.5f})
               .input<uint8_t>({}, {0})
               .input<float>({}, {1.0f})
               .input<uint8_t>({}, {0});
  expect_tensor<uint8_t>(c.run_tensor(), {1, 3}, {2, 4, 255});
}

TEST(QLinearMatMul, Int8OutputSaturatesBelow) {
  auto c = OpCase("QLinearMatMul", 10)
               .input<int8_t>({1, 1}, {-100})
               .input<float>({}, {1.0f})
               .input<int8_t>({}, {0})
               .input<int8_t>({1, 1}, {100})
               .input<float>({}, {1.0f})
               .input<int8_t>({}, {0})
               .input<float>({}, {1.0f})
               .input<int8_t>({}, {-5});
  expect_tensor<int8_t>(c.run_tensor(), {1, 1}, {-128});
}

TEST(QLinearMatMul, HalfScalesFromOpset21) {
  auto with_scales = [](int opset) {
    return OpCase("QLinearMatMul", opset)
        .input<uint8_t>({1, 1}, {3})
        .input<float16>({}, {1.0f})
        .input<uint8_t>({}, {0})
        .input<uint8_t>({1, 3}, {1, 3, 250})
        .input<float16>({}, {0.5f})
        .input<uint8_t>({}, {0})
        .input<float16>({}, {1.0f})
        .input<uint8_t>({}, {0});
  };
  expect_tensor<uint8_t>(with_scales(21).run_tensor(), {1, 3}, {2, 4, 255});
  EXPECT_THROW_KIND(with_scales(10).run(), ErrorKind::InvalidModel, "a_scale is f16");
}

TEST(QLinearMatMul, Float8OperandsAndOutputFromOpset21) {
  // Float8 output, the products times 2: 6 and 18 are exact in e4m3fn, 300 rounds to 288 (step 32
  // above 256) and 762 saturates to 448.
  auto out8 = OpCase("QLinearMatMul", 21)
                  .input<int8_t>({1, 1}, {3})
                  .input<float>({}, {1.0f})
                  .input<int8_t>({}, {0})
                  .input<int8_t>({1, 4}, {1, 3, 50, 127})
                  .input<float>({}, {1.0f})
                  .input<int8_t>({}, {0})
                  .input<float>({}, {0.5f})
                  .input<float8_e4m3fn>({}, {0.0f});
  Tensor y = out8.run_tensor();
  ASSERT_EQ(y.element_type(), ElementType::F8E4M3FN);
  std::vector<float> got;
  for (float8_e4m3fn v : y.span<const float8_e4m3fn>()) got.push_back(float(v));
  EXPECT_EQ(got, (std::vector<float>{6, 18, 288, 448}));
  // Float8 operands accumulate their fractional values: 1.5 * 2 = 3 and 1.5 * -0.5 = -0.75, then
  // plus 10, rounded half to even into uint8.
  auto in8 = OpCase("QLinearMatMul", 21)
                 .input<float8_e4m3fn>({1, 1}, {1.5f})
                 .input<float>({}, {1.0f})
                 .input<float8_e4m3fn>({}, {0.0f})
                 .input<float8_e5m2>({1, 2}, {2.0f, -0.5f})
                 .input<float>({}, {1.0f})
                 .input<float8_e5m2>({}, {0.0f})
                 .input<float>({}, {1.0f})
                 .input<uint8_t>({}, {10});
  expect_tensor<uint8_t>(in8.run_tensor(), {1, 2}, {13, 9});
}

TEST(Det, BatchedWithPivoting) {
  // [[0,1],[1,0]] needs a row swap: det -1. [[2,0],[0,3]]: 6.
  auto c = OpCase("Det", 11).input<float>({2, 2, 2}, {0, 1, 1, 0, 2, 0, 0, 3});
  expect_tensor<float>(c.run_tensor(), {2}, {-1, 6});
}

TEST(Det, NonSquareIsInvalid) {
  auto c = OpCase("Det", 11).input<float>({2, 3}, std::vector<float>(6));
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "square");
}

}  // namespace
}  // namespace tandem::testing
