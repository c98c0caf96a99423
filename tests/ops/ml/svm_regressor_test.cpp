// SVMRegressor: linear and kernel models, one_class.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(SVMRegressor, LinearWithoutSupportVectors) {
  auto c = OpCase("SVMRegressor", 1, "ai.onnx.ml")
               .attr("coefficients", std::vector<float>{1, 2})
               .attr("rho", std::vector<float>{0.5f})
               .input<float>({2, 2}, {1, 1, 2, 0});
  expect_tensor<float>(c.run_tensor(), {2, 1}, {3.5f, 2.5f});
}

OpCase rbf() {
  return std::move(OpCase("SVMRegressor", 1, "ai.onnx.ml")
                       .attr("kernel_type", "RBF")
                       .attr("kernel_params", std::vector<float>{0.5f, 0, 0})
                       .attr("n_supports", 2)
                       .attr("support_vectors", std::vector<float>{0, 0, 1, 1})
                       .attr("coefficients", std::vector<float>{1, -1})
                       .attr("rho", std::vector<float>{0.25f}));
}

TEST(SVMRegressor, RbfKernel) {
  // exp(-0.5 * 0) - exp(-0.5 * 2) + 0.25 for x = (0, 0); int64 input is read as float.
  expect_tensor<float>(rbf().input<int64_t>({1, 2}, {0, 0}).run_tensor(), {1, 1},
                       {float(1 - std::exp(-1.0) + 0.25)});
}

TEST(SVMRegressor, OneClassGivesTheSign) {
  expect_tensor<float>(rbf().attr("one_class", 1).input<float>({2, 2}, {0, 0, 1, 1}).run_tensor(),
                       {2, 1}, {1, -1});
}

TEST(SVMRegressor, FeatureCountMustMatch) {
  EXPECT_THROW_KIND(rbf().input<float>({1, 3}, {0, 0, 0}).run(), ErrorKind::InvalidArgument,
                    "has 3 features, the model 2");
}

}  // namespace
}  // namespace tandem::testing
