// FusedConv (com.tandem): the convolution, then the residual sum, then the activation, on cases
// worked by hand; and the malformed nodes inference rejects.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// X [1,1,2,2] = {-2,-1,1,2}, W = 1x1 {1}, B = {0.5}: the convolution gives {-1.5,-0.5,1.5,2.5}.
OpCase pointwise(const std::string& activation = "") {
  auto c = OpCase("FusedConv", 1, "com.tandem");
  if (!activation.empty()) c.attr("activation", activation);
  return c;
}
OpCase& with_inputs(OpCase& c) {
  return c.input<float>({1, 1, 2, 2}, {-2, -1, 1, 2})
      .input<float>({1, 1, 1, 1}, {1})
      .input<float>({1}, {0.5f});
}

TEST(FusedConv, WithoutActivationIsConv) {
  auto c = pointwise();
  expect_tensor<float>(with_inputs(c).run_tensor(), {1, 1, 2, 2}, {-1.5f, -0.5f, 1.5f, 2.5f});
}

TEST(FusedConv, Relu) {
  auto c = pointwise("Relu");
  expect_tensor<float>(with_inputs(c).run_tensor(), {1, 1, 2, 2}, {0, 0, 1.5f, 2.5f});
}

TEST(FusedConv, SumThenRelu) {
  auto c = pointwise("Relu");
  with_inputs(c).input<float>({1, 1, 2, 2}, {1, 0, -2, 0});
  expect_tensor<float>(c.run_tensor(), {1, 1, 2, 2}, {0, 0, 0, 2.5f});
}

TEST(FusedConv, SumWithoutBias) {
  auto c = pointwise();
  c.input<float>({1, 1, 2, 2}, {-2, -1, 1, 2})
      .input<float>({1, 1, 1, 1}, {2})
      .omitted_input()
      .input<float>({1, 1, 2, 2}, {1, 1, 1, 1});
  expect_tensor<float>(c.run_tensor(), {1, 1, 2, 2}, {-3, -1, 3, 5});
}

TEST(FusedConv, ActivationParameters) {
  auto clip = pointwise("Clip");
  clip.attr("activation_alpha", -1.0f).attr("activation_beta", 1.0f);
  expect_tensor<float>(with_inputs(clip).run_tensor(), {1, 1, 2, 2}, {-1, -0.5f, 1, 1});
  auto leaky = pointwise("LeakyRelu");
  leaky.attr("activation_alpha", 0.1f);
  expect_tensor<float>(with_inputs(leaky).run_tensor(), {1, 1, 2, 2}, {-0.15f, -0.05f, 1.5f, 2.5f});
  auto hard = pointwise("HardSigmoid");
  hard.attr("activation_alpha", 0.2f).attr("activation_beta", 0.5f);
  expect_tensor<float>(with_inputs(hard).run_tensor(), {1, 1, 2, 2}, {0.2f, 0.4f, 0.8f, 1.0f});
  auto elu = pointwise("Elu");
  elu.attr("activation_alpha", 2.0f);
  expect_tensor<float>(with_inputs(elu).run_tensor(), {1, 1, 2, 2},
                       {2 * std::expm1(-1.5f), 2 * std::expm1(-0.5f), 1.5f, 2.5f});
}

TEST(FusedConv, SmoothActivations) {
  const float conv[] = {-1.5f, -0.5f, 1.5f, 2.5f};
  auto expect = [&](const std::string& name, float (*f)(float), bool alpha) {
    SCOPED_TRACE(name);
    auto c = pointwise(name);
    if (alpha) c.attr("activation_alpha", 1.0f);
    std::vector<float> want;
    for (float v : conv) want.push_back(f(v));
    expect_tensor<float>(with_inputs(c).run_tensor(), {1, 1, 2, 2}, want);
  };
  expect(
      "Sigmoid", [](float v) { return 1 / (1 + std::exp(-v)); }, false);
  expect(
      "Tanh", [](float v) { return std::tanh(v); }, false);
  expect(
      "Swish", [](float v) { return v / (1 + std::exp(-v)); }, true);
  expect(
      "HardSwish", [](float v) { return v * std::clamp(v / 6 + 0.5f, 0.0f, 1.0f); }, false);
}

// The Conv attributes pass through: a 3x3 window with pads 1 over ones counts the neighbours.
TEST(FusedConv, ConvAttributesApply) {
  auto c = OpCase("FusedConv", 1, "com.tandem")
               .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
               .attr("activation", "Clip")
               .attr("activation_alpha", 0.0f)
               .attr("activation_beta", 6.0f)
               .input<float>({1, 1, 3, 3}, std::vector<float>(9, 1))
               .input<float>({1, 1, 3, 3}, std::vector<float>(9, 1));
  expect_tensor<float>(c.run_tensor(), {1, 1, 3, 3}, {4, 6, 4, 6, 6, 6, 4, 6, 4});
}

TEST(FusedConv, UnknownActivationIsInvalidModel) {
  auto c = pointwise("Softsign");
  EXPECT_THROW_KIND(with_inputs(c).run(), ErrorKind::InvalidModel, "unknown activation 'Softsign'");
}

TEST(FusedConv, MissingParameterIsInvalidModel) {
  auto c = pointwise("LeakyRelu");
  EXPECT_THROW_KIND(with_inputs(c).run(), ErrorKind::InvalidModel, "activation_alpha");
}

TEST(FusedConv, SumOfAnotherShapeIsInvalidModel) {
  auto c = pointwise("Relu");
  with_inputs(c).input<float>({1, 1, 1, 2}, {1, 2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "Sum has shape");
}

}  // namespace
}  // namespace tandem::testing
