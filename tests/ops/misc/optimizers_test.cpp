// Adagrad, Adam and Momentum of ai.onnx.preview.training: several variables, bias correction,
// Nesterov's update, and malformed input lists. Gradient stays undefined.
#include <cmath>
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

constexpr const char* kDomain = "ai.onnx.preview.training";

TEST(Optimizers, AdamCorrectsBiasAfterTheFirstStep) {
  // T = 2: R' = R sqrt(1 - beta^2) / (1 - alpha^2).
  const double r = 0.1, alpha = 0.9, beta = 0.99, eps = 1e-6, x = 1, g = 0.5, v = 0.2, h = 0.3;
  const double v_new = alpha * v + (1 - alpha) * g, h_new = beta * h + (1 - beta) * g * g;
  const double r_adj = r * std::sqrt(1 - beta * beta) / (1 - alpha * alpha);
  const double x_new = x - r_adj * v_new / (std::sqrt(h_new) + eps);
  auto c = OpCase("Adam", 1, kDomain)
               .attr("alpha", alpha)
               .attr("beta", beta)
               .input<double>({}, {r})
               .input<int64_t>({}, {2})
               .input<double>({1}, {x})
               .input<double>({1}, {g})
               .input<double>({1}, {v})
               .input<double>({1}, {h})
               .outputs(3);
  auto out = c.run();
  expect_tensor<double>(out[0].tensor(), {1}, {x_new}, 1e-6);
  expect_tensor<double>(out[1].tensor(), {1}, {v_new}, 1e-6);
  expect_tensor<double>(out[2].tensor(), {1}, {h_new}, 1e-6);
}

TEST(Optimizers, MomentumGroupsSeveralVariables) {
  // Two variables; T = 1 so beta applies. Outputs: X1, X2, V1, V2.
  auto c = OpCase("Momentum", 1, kDomain)
               .attr("alpha", 0.5)
               .attr("beta", 0.25)
               .attr("norm_coefficient", 0.0)
               .attr("mode", "nesterov")
               .input<float>({}, {0.1f})
               .input<int64_t>({}, {1})
               .input<float>({1}, {1})
               .input<float>({2}, {2, 3})
               .input<float>({1}, {4})
               .input<float>({2}, {8, -4})
               .input<float>({1}, {2})
               .input<float>({2}, {0, 1})
               .outputs(4);
  auto out = c.run();
  // V = 0.5 V + 0.25 G; X -= 0.1 (G + 0.5 V).
  expect_tensor<float>(out[2].tensor(), {1}, {2});
  expect_tensor<float>(out[3].tensor(), {2}, {2, -0.5f});
  expect_tensor<float>(out[0].tensor(), {1}, {1 - 0.1f * (4 + 1)});
  expect_tensor<float>(out[1].tensor(), {2}, {2 - 0.1f * (8 + 1), 3 - 0.1f * (-4 - 0.25f)});
}

TEST(Optimizers, AdagradDecaysTheRate) {
  auto c = OpCase("Adagrad", 1, kDomain)
               .attr("decay_factor", 1.0)
               .attr("epsilon", 0.0)
               .input<float>({}, {1})
               .input<int64_t>({}, {1})
               .input<float>({1}, {5})
               .input<float>({1}, {3})
               .input<float>({1}, {16})
               .outputs(2);
  auto out = c.run();
  expect_tensor<float>(out[1].tensor(), {1}, {25});
  expect_tensor<float>(out[0].tensor(), {1}, {5 - 0.5f * 3 / 5});
}

TEST(Optimizers, RejectsMalformedInputLists) {
  auto count = OpCase("Adagrad", 1, kDomain)
                   .input<float>({}, {1})
                   .input<int64_t>({}, {0})
                   .input<float>({1}, {1})
                   .input<float>({1}, {1})
                   .outputs(2);
  EXPECT_THROW_KIND(count.run(), ErrorKind::InvalidModel, "3 tensors per optimized variable");
  auto shapes = OpCase("Momentum", 1, kDomain)
                    .attr("alpha", 0.5)
                    .attr("beta", 0.5)
                    .attr("norm_coefficient", 0.0)
                    .attr("mode", "standard")
                    .input<float>({}, {1})
                    .input<int64_t>({}, {0})
                    .input<float>({2}, {1, 2})
                    .input<float>({1}, {1})
                    .input<float>({2}, {1, 2})
                    .outputs(2);
  EXPECT_THROW_KIND(shapes.run(), ErrorKind::InvalidArgument, "expected X's");
}

TEST(Optimizers, GradientIsNotDefined) {
  auto c = OpCase("Gradient", 1, kDomain)
               .attr("xs", std::vector<std::string>{"x0"})
               .attr("y", "y")
               .input<float>({1}, {1});
  EXPECT_THROW(c.run(), Error);
}

}  // namespace
}  // namespace tandem::testing
