// BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot (opset 18): signed values, broadcasting, types.
#include <cstdint>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Bitwise, BinaryOpsBroadcast) {
  auto a = OpCase("BitwiseAnd", 18).input<int32_t>({2, 2}, {12, -1, 7, 0}).input<int32_t>({2}, {10, 6});
  expect_tensor<int32_t>(a.run_tensor(), {2, 2}, {8, 6, 2, 0});
  auto o = OpCase("BitwiseOr", 18).input<uint8_t>({2}, {0xF0, 1}).input<uint8_t>({1}, {0x0F});
  expect_tensor<uint8_t>(o.run_tensor(), {2}, {0xFF, 0x0F});
  auto x = OpCase("BitwiseXor", 18).input<int64_t>({2}, {-1, 5}).input<int64_t>({2}, {1, 5});
  expect_tensor<int64_t>(x.run_tensor(), {2}, {-2, 0});
}

TEST(Bitwise, NotFlipsEveryBit) {
  auto s = OpCase("BitwiseNot", 18).input<int16_t>({3}, {0, -1, 5});
  expect_tensor<int16_t>(s.run_tensor(), {3}, {-1, 0, -6});
  auto u = OpCase("BitwiseNot", 18).input<uint16_t>({2}, {0, 0x00FF});
  expect_tensor<uint16_t>(u.run_tensor(), {2}, {0xFFFF, 0xFF00});
}

TEST(Bitwise, FloatsAreRejected) {
  auto c = OpCase("BitwiseAnd", 18).input<float>({1}, {1}).input<float>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::Unsupported, "f32");
}

TEST(Bitwise, MixedTypesAreInvalid) {
  auto c = OpCase("BitwiseOr", 18).input<int32_t>({1}, {1}).input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "element type");
}

}  // namespace
}  // namespace tandem::testing
