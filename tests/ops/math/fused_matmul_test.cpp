// FusedMatMul (com.tandem): the product, then the bias, then the activation, on cases worked by
// hand; and the malformed nodes inference rejects.
#include <cmath>
#include <numbers>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// A [2,2] = {1,2,3,4}, B = {{1,-1},{0,-1}}: the product is {1,-3,3,-7}; Bias {0.5,1} makes it
// {1.5,-2,3.5,-6}.
OpCase linear(const std::string& activation = "") {
  auto c = OpCase("FusedMatMul", 1, "com.tandem");
  if (!activation.empty()) c.attr("activation", activation);
  return c.input<float>({2, 2}, {1, 2, 3, 4}).input<float>({2, 2}, {1, -1, 0, -1});
}

TEST(FusedMatMul, WithoutBiasOrActivationIsMatMul) {
  expect_tensor<float>(linear().run_tensor(), {2, 2}, {1, -3, 3, -7});
}

TEST(FusedMatMul, BiasPerColumn) {
  auto c = linear().input<float>({2}, {0.5f, 1});
  expect_tensor<float>(c.run_tensor(), {2, 2}, {1.5f, -2, 3.5f, -6});
}

TEST(FusedMatMul, BiasThenRelu) {
  auto c = linear("Relu").input<float>({2}, {0.5f, 1});
  expect_tensor<float>(c.run_tensor(), {2, 2}, {1.5f, 0, 3.5f, 0});
}

TEST(FusedMatMul, GeluExactAndTanh) {
  const float z[] = {1.5f, -2, 3.5f, -6};
  auto exact = linear("Gelu").input<float>({2}, {0.5f, 1});
  auto tanh = linear("Gelu").attr("activation_approximate", "tanh").input<float>({2}, {0.5f, 1});
  std::vector<float> want_exact, want_tanh;
  const double k = std::sqrt(2 / std::numbers::pi);
  for (double v : z) {
    want_exact.push_back(float(0.5 * v * (1 + std::erf(v / std::numbers::sqrt2))));
    want_tanh.push_back(float(0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v)))));
  }
  expect_tensor<float>(exact.run_tensor(), {2, 2}, want_exact);
  expect_tensor<float>(tanh.run_tensor(), {2, 2}, want_tanh);
}

// A batched A: the bias adds to every row of every batch.
TEST(FusedMatMul, BatchedA) {
  auto c = OpCase("FusedMatMul", 1, "com.tandem")
               .input<float>({2, 1, 2}, {1, 2, 3, 4})
               .input<float>({2, 1}, {1, 1})
               .input<float>({1}, {10});
  expect_tensor<float>(c.run_tensor(), {2, 1, 1}, {13, 17});
}

TEST(FusedMatMul, BiasOfAnotherLengthIsInvalidModel) {
  auto c = linear().input<float>({3}, {1, 2, 3});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "Bias has shape");
}

TEST(FusedMatMul, BiasOfTwoDimensionsIsInvalidModel) {
  auto c = linear().input<float>({1, 2}, {1, 2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "expected one dimension");
}

TEST(FusedMatMul, UnknownGeluApproximationIsInvalidModel) {
  auto c = linear("Gelu").attr("activation_approximate", "fast");
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "activation_approximate 'fast'");
}

}  // namespace
}  // namespace tandem::testing
