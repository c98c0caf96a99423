// BitShift: unsigned shifts of opset 11, the signed ones of opset 28, out-of-range amounts.
#include <cstdint>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(BitShift, Opset28ShiftsSignedRightArithmetically) {
  auto c = OpCase("BitShift", 28)
               .attr("direction", "RIGHT")
               .input<int32_t>({4}, {-8, -1, 8, -7})
               .input<int32_t>({4}, {1, 5, 2, 1});
  expect_tensor<int32_t>(c.run_tensor(), {4}, {-4, -1, 2, -4});
}

TEST(BitShift, Opset28LeftShiftDropsBitsPastTheSign) {
  auto c = OpCase("BitShift", 28)
               .attr("direction", "LEFT")
               .input<int8_t>({3}, {64, -1, 1})
               .input<int8_t>({3}, {1, 7, 7});
  expect_tensor<int8_t>(c.run_tensor(), {3}, {-128, -128, -128});
}

TEST(BitShift, NegativeOrWideShiftsKeepOnlyTheSignExtension) {
  auto right = OpCase("BitShift", 28)
                   .attr("direction", "RIGHT")
                   .input<int64_t>({4}, {-5, 5, -5, 5})
                   .input<int64_t>({4}, {64, 64, -1, -1});
  expect_tensor<int64_t>(right.run_tensor(), {4}, {-1, 0, -1, 0});
  auto left = OpCase("BitShift", 28)
                  .attr("direction", "LEFT")
                  .input<int16_t>({2}, {-5, 5})
                  .input<int16_t>({2}, {16, -3});
  expect_tensor<int16_t>(left.run_tensor(), {2}, {0, 0});
}

TEST(BitShift, UnsignedShiftByTheWidthGivesZero) {
  auto c = OpCase("BitShift", 11)
               .attr("direction", "LEFT")
               .input<uint8_t>({2}, {255, 1})
               .input<uint8_t>({2}, {8, 7});
  expect_tensor<uint8_t>(c.run_tensor(), {2}, {0, 128});
}

TEST(BitShift, SignedTypesNeedOpset28) {
  auto c = OpCase("BitShift", 27)
               .attr("direction", "LEFT")
               .input<int32_t>({1}, {1})
               .input<int32_t>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "BitShift-28");
}

}  // namespace
}  // namespace tandem::testing
