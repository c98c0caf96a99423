// Mod-28: fmod=0 on floats is numpy's mod, signed zeros and infinities included.
#include <cmath>
#include <limits>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(Mod, Opset28FloatsTakeTheDivisorsSign) {
  auto c = OpCase("Mod", 28).input<float>({4}, {5.5f, -5.5f, 5.5f, -5.5f}).input<float>(
      {4}, {2, 2, -2, -2});
  expect_tensor<float>(c.run_tensor(), {4}, {1.5f, 0.5f, -0.5f, -1.5f});
}

TEST(Mod, Opset28ZeroRemainderHasTheDivisorsSign) {
  auto c = OpCase("Mod", 28).input<float>({2}, {0.0f, 4.0f}).input<float>({2}, {-2, -2});
  const Tensor y = c.run_tensor();
  for (float v : y.span<const float>()) {
    EXPECT_EQ(v, 0.0f);
    EXPECT_TRUE(std::signbit(v));
  }
}

TEST(Mod, Opset28InfiniteDivisor) {
  auto c = OpCase("Mod", 28).input<float>({3}, {1, 1, kInf}).input<float>({3}, {kInf, -kInf, 2});
  const Tensor y = c.run_tensor();
  auto v = y.span<const float>();
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_EQ(v[1], -kInf);
  EXPECT_TRUE(std::isnan(v[2]));
}

}  // namespace
}  // namespace tandem::testing
