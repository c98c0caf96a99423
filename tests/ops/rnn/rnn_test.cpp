// RNN, GRU and LSTM on one-unit cases worked by hand, plus layouts, lengths and activations.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// RNN with one input and one unit: h = f(0.5 x + 0.25 h + 0.1), per direction.
OpCase one_unit_rnn(const std::string& direction, Shape x_shape, std::vector<float> x) {
  OpCase c("RNN", 14);
  c.attr("hidden_size", 1).attr("direction", direction).input<float>(std::move(x_shape), std::move(x));
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  std::vector<float> w(size_t(dirs), 0.5f), r(size_t(dirs), 0.25f), b;
  for (int64_t d = 0; d < dirs; ++d) b.insert(b.end(), {0.1f, 0.0f});
  return c.input<float>({dirs, 1, 1}, w).input<float>({dirs, 1, 1}, r).input<float>({dirs, 2}, b).outputs(2);
}

TEST(RNN, ForwardTwoSteps) {
  std::vector<Value> out = one_unit_rnn("forward", {2, 1, 1}, {1, 2}).run();
  const double h0 = std::tanh(0.6), h1 = std::tanh(1.1 + 0.25 * h0);
  expect_tensor<float>(out[0].tensor(), {2, 1, 1, 1}, {float(h0), float(h1)});
  expect_tensor<float>(out[1].tensor(), {1, 1, 1}, {float(h1)});
}

TEST(RNN, ReverseWalksTheSequenceBackwards) {
  std::vector<Value> out = one_unit_rnn("reverse", {2, 1, 1}, {1, 2}).run();
  const double h1 = std::tanh(1.1), h0 = std::tanh(0.6 + 0.25 * h1);
  expect_tensor<float>(out[0].tensor(), {2, 1, 1, 1}, {float(h0), float(h1)});
  expect_tensor<float>(out[1].tensor(), {1, 1, 1}, {float(h0)});
}

TEST(RNN, SequenceLensStopEachBatchEntryAndZeroTheRest) {
  OpCase c = one_unit_rnn("bidirectional", {2, 2, 1}, {1, 3, 2, 4});
  std::vector<Value> out = c.input<int32_t>({2}, {2, 1}).run();
  const double f0 = std::tanh(0.6), f1 = std::tanh(1.1 + 0.25 * f0);  // batch 0 forward
  const double r1 = std::tanh(1.1), r0 = std::tanh(0.6 + 0.25 * r1);  // batch 0 reverse
  const double one = std::tanh(1.6);                                  // batch 1, its single step
  // Y is [seq, dirs, batch, hidden].
  expect_tensor<float>(out[0].tensor(), {2, 2, 2, 1},
                       {float(f0), float(one), float(r0), float(one), float(f1), 0, float(r1), 0});
  expect_tensor<float>(out[1].tensor(), {2, 2, 1}, {float(f1), float(one), float(r0), float(one)});
}

TEST(RNN, ActivationsTakeAlphaAndBetaInOrder) {
  OpCase c = one_unit_rnn("bidirectional", {1, 1, 1}, {-1});
  c.attr("activations", std::vector<std::string>{"LeakyRelu", "HardSigmoid"})
      .attr("activation_alpha", std::vector<float>{0.5f, 0.3f})
      .attr("activation_beta", std::vector<float>{0.6f});
  const double pre = -0.5 + 0.1;
  expect_tensor<float>(c.run()[1].tensor(), {2, 1, 1}, {float(0.5 * pre), float(0.3 * pre + 0.6)});
}

TEST(RNN, DefaultAlphaIsTheOnnxOps) {
  OpCase c = one_unit_rnn("forward", {1, 1, 1}, {-1});
  c.attr("activations", std::vector<std::string>{"LeakyRelu"});
  expect_tensor<float>(c.run()[1].tensor(), {1, 1, 1}, {float(0.01 * -0.4)});
}

TEST(RNN, ComputesDoubleInDouble) {
  auto c = OpCase("RNN", 7).attr("hidden_size", 1).input<double>({1, 1, 1}, {1});
  c.input<double>({1, 1, 1}, {0.5}).input<double>({1, 1, 1}, {0.25}).outputs(2);
  expect_tensor<double>(c.run()[1].tensor(), {1, 1, 1}, {std::tanh(0.5)}, 1e-12);
}

TEST(RNN, WrongWeightShapeIsAnError) {
  auto c = OpCase("RNN", 14).attr("hidden_size", 1).input<float>({1, 1, 2}, {1, 2});
  c.input<float>({1, 1, 1}, {0.5f}).input<float>({1, 1, 1}, {0.25f});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "input W has shape [1,1,1], expected [1,1,2]");
}

TEST(RNN, UnknownActivationIsUnsupported) {
  OpCase c = one_unit_rnn("forward", {1, 1, 1}, {1});
  c.attr("activations", std::vector<std::string>{"Swish"});
  EXPECT_THROW_KIND(c.run(), ErrorKind::Unsupported, "activation 'Swish'");
}

// GRU with one unit, one step from h0 = 0.5; only Rbh is non-zero, so linear_before_reset matters.
OpCase gru_case(int linear_before_reset) {
  auto c = OpCase("GRU", 14).attr("hidden_size", 1).attr("linear_before_reset", linear_before_reset);
  c.input<float>({1, 1, 1}, {1})
      .input<float>({1, 3, 1}, {0.1f, 0.2f, 0.3f})
      .input<float>({1, 3, 1}, {0.4f, 0.5f, 0.6f});
  c.input<float>({1, 6}, {0, 0, 0, 0, 0, 0.7f}).omitted_input().input<float>({1, 1, 1}, {0.5f});
  return c.outputs(2);
}

TEST(GRU, LinearBeforeResetMovesTheReset) {
  const double z = sigmoid(0.3), r = sigmoid(0.45);
  const double after = std::tanh(0.3 + 0.6 * (r * 0.5) + 0.7);
  const double before = std::tanh(0.3 + r * (0.6 * 0.5 + 0.7));
  expect_tensor<float>(gru_case(0).run()[1].tensor(), {1, 1, 1}, {float((1 - z) * after + z * 0.5)});
  expect_tensor<float>(gru_case(1).run()[1].tensor(), {1, 1, 1}, {float((1 - z) * before + z * 0.5)});
}

TEST(LSTM, PeepholesClipAndCoupledForgetGate) {
  auto c = OpCase("LSTM", 14).attr("hidden_size", 1).attr("clip", 0.3f).attr("input_forget", 1);
  c.input<float>({1, 1, 1}, {1})
      .input<float>({1, 4, 1}, {0.1f, 0.2f, 0.3f, 0.4f})
      .input<float>({1, 4, 1}, {0.5f, 0.6f, 0.7f, 0.8f})
      .omitted_input()
      .omitted_input()
      .input<float>({1, 1, 1}, {0.5f})
      .input<float>({1, 1, 1}, {0.25f})
      .input<float>({1, 3}, {0.1f, 0.2f, 0.3f})
      .outputs(3);
  // Every gate's input exceeds the clip of 0.3.
  const double i = sigmoid(0.3), f = 1 - i;
  const double cell = f * 0.25 + i * std::tanh(0.3);
  const double o = sigmoid(0.3);
  std::vector<Value> out = c.run();
  expect_tensor<float>(out[1].tensor(), {1, 1, 1}, {float(o * std::tanh(cell))});
  expect_tensor<float>(out[2].tensor(), {1, 1, 1}, {float(cell)});
}

// The same LSTM in both layouts: batch 2, sequence 3, input 2, hidden 2.
std::vector<Value> lstm_in_layout(int layout) {
  std::vector<float> x(12), w(16), r(16);
  for (size_t k = 0; k < x.size(); ++k) x[k] = 0.1f * float(k) - 0.5f;
  for (size_t k = 0; k < w.size(); ++k) w[k] = 0.05f * float(k % 7) - 0.1f;
  for (size_t k = 0; k < r.size(); ++k) r[k] = 0.03f * float(k % 5) - 0.05f;
  std::vector<float> h0{0.1f, -0.2f, 0.3f, 0.4f};  // [dirs=1, batch, hidden]
  std::vector<float> xs = x;
  Shape x_shape{3, 2, 2};
  if (layout ==
      1) {  // [seq, batch, input] to [batch, seq, input]; h0 [batch, dirs, hidden] is the same bytes
    x_shape = {2, 3, 2};
    for (int t = 0; t < 3; ++t)
      for (int b = 0; b < 2; ++b)
        for (int i = 0; i < 2; ++i) xs[(b * 3 + t) * 2 + i] = x[(t * 2 + b) * 2 + i];
  }
  auto c = OpCase("LSTM", 14).attr("hidden_size", 2).attr("layout", layout);
  c.input<float>(x_shape, xs)
      .input<float>({1, 8, 2}, w)
      .input<float>({1, 8, 2}, r)
      .omitted_input()
      .omitted_input();
  c.input<float>(layout ? Shape{2, 1, 2} : Shape{1, 2, 2}, h0).outputs(3);
  return c.run();
}

TEST(LSTM, BatchFirstLayoutTransposesInputsAndOutputs) {
  std::vector<Value> a = lstm_in_layout(0), b = lstm_in_layout(1);
  const Tensor &ya = a[0].tensor(), &yb = b[0].tensor();
  ASSERT_EQ(ya.shape(), (Shape{3, 1, 2, 2}));
  ASSERT_EQ(yb.shape(), (Shape{2, 3, 1, 2}));
  auto pa = ya.span<const float>(), pb = yb.span<const float>();
  for (int t = 0; t < 3; ++t)
    for (int n = 0; n < 2; ++n)
      for (int h = 0; h < 2; ++h) EXPECT_FLOAT_EQ(pa[(t * 2 + n) * 2 + h], pb[(n * 3 + t) * 2 + h]);
  ASSERT_EQ(b[2].tensor().shape(), (Shape{2, 1, 2}));
  auto ca = a[2].tensor().span<const float>(), cb = b[2].tensor().span<const float>();
  for (size_t k = 0; k < 4; ++k) EXPECT_FLOAT_EQ(ca[k], cb[k]);
}

TEST(LSTM, Opset7IgnoresLayout) {
  auto c = OpCase("LSTM", 7).attr("hidden_size", 1).attr("layout", 1);
  c.input<float>({3, 1, 1}, {1, 2, 3}).input<float>({1, 4, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
  c.input<float>({1, 4, 1}, {0.5f, 0.6f, 0.7f, 0.8f});
  EXPECT_EQ(c.run_tensor().shape(), (Shape{3, 1, 1, 1}));
}

}  // namespace
}  // namespace tandem::testing
