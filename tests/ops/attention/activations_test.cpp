// Gelu, Mish, Swish, SwiGLU: values by hand and the Mish-22 bfloat16 addition.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Gelu, ExactAndTanhApproximation) {
  const double x = 1.0;
  auto exact = OpCase("Gelu", 20).input<float>({1}, {1});
  expect_tensor<float>(exact.run_tensor(), {1},
                       {float(0.5 * x * (1 + std::erf(x / std::sqrt(2.0))))});
  auto tanh = OpCase("Gelu", 20).attr("approximate", "tanh").input<float>({1}, {1});
  const double k = std::sqrt(2 / 3.14159265358979323846);
  expect_tensor<float>(tanh.run_tensor(), {1}, {float(0.5 * (1 + std::tanh(k * 1.044715)))});
}

TEST(Gelu, UnknownApproximationIsInvalidModel) {
  auto c = OpCase("Gelu", 20).attr("approximate", "fast").input<float>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "approximate");
}

TEST(Mish, LargeInputsStayFinite) {
  auto c = OpCase("Mish", 18).input<float>({3}, {0, 1, 1000});
  expect_tensor<float>(c.run_tensor(), {3}, {0, float(std::tanh(std::log1p(std::exp(1.0)))), 1000});
}

TEST(Mish, BFloat16NeedsOpset22) {
  auto make = [](int opset) {
    return OpCase("Mish", opset).input<bfloat16>({1}, {bfloat16(0.0f)});
  };
  EXPECT_EQ(float(make(22).run_tensor().span<const bfloat16>()[0]), 0.0f);
  EXPECT_THROW_KIND(make(18).run(), ErrorKind::Unsupported, "Mish-22");
}

TEST(Swish, AlphaScalesTheSigmoidInput) {
  auto c = OpCase("Swish", 24).attr("alpha", 2.0f).input<float>({1}, {1});
  expect_tensor<float>(c.run_tensor(), {1}, {float(1 / (1 + std::exp(-2.0)))});
}

TEST(SwiGLU, GatesBWithSwishOfA) {
  auto c = OpCase("SwiGLU", 28).input<float>({2}, {0, 1}).input<float>({2}, {5, 2});
  expect_tensor<float>(c.run_tensor(), {2}, {0, float(2 / (1 + std::exp(-1.0)))});
}

TEST(SwiGLU, ShapesMustMatchWithoutBroadcasting) {
  auto c = OpCase("SwiGLU", 28).input<float>({2}, {0, 1}).input<float>({1}, {5});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "same shape");
}

}  // namespace
}  // namespace tandem::testing
