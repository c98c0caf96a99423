// Conv and FusedConv on cuDNN against the ops' reference kernels: random inputs (rounded to the
// compute type first, so that both sides see the same values), the GPU's output poisoned before
// the run.
#include "devices/gpu/cuda/kernels/conv.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "devices/gpu/cuda/gpu_test_util.h"
#include "devices/gpu/cuda/kernel_case.h"
#include "ir/graph.h"
#include "ops/nn/fused_conv.h"

namespace tandem::gpu {
namespace {

using testing::expect_close;
using testing::gpu_present;
using testing::Input;
using testing::random_input;
using testing::reference;
using testing::Run;
using testing::run_kernel;
using testing::RunOptions;

struct ConvCase {
  std::string op = "Conv";
  Shape x, w;
  bool bias = false, sum = false;
  std::map<std::string, ir::Attribute> attributes;
  ops::Activation activation;
  bool weights_constant = true;
  bool sum_constant = false;
};

void check_case(const ConvCase& c, ElementType compute, bool sum_in_output = false, bool channels_last = false) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const bool fused = c.op == "FusedConv";
  ir::Node node{"conv",     c.op,  fused ? std::string(ops::kTandemDomain) : "",
                {"x", "w"}, {"y"}, c.attributes};
  if (fused) ops::write_activation(c.activation, node);
  std::vector<Input> inputs{random_input(c.x, compute, false, 1),
                            random_input(c.w, compute, c.weights_constant, 2)};
  if (c.bias || c.sum) {
    node.inputs.push_back(c.bias ? "b" : "");
    inputs.push_back(c.bias ? random_input({c.w[0]}, compute, c.weights_constant, 3) : Input{});
  }
  const int opset = fused ? ops::kFusedConvOpset : 22;
  if (c.sum) {
    // Sum has the output's shape: the reference's without it.
    const Shape out = reference(node, opset, inputs).shape();
    node.inputs.push_back("sum");
    inputs.push_back(random_input(out, compute, c.sum_constant, 4));
  }
  const Tensor want = reference(node, opset, inputs);
  RunOptions options{.libraries = {.cudnn = true}, .poison_workspace = true, .channels_last = channels_last};
  if (sum_in_output) options.output_over = ops::kFusedConvSumInput;
  const Run run = run_kernel(make_conv_kernel, node, opset, inputs, want.shape(), compute, options);
  // f32 within 1e-4 of the largest reference value: the convolutions' sums are long.
  expect_close(run.output, want, compute, {.f32 = 1e-4, .low_precision = 2e-2, .floor = 1e-6});
}

ConvCase resnet_block() {  // conv + bias + residual + ReLU: cuDNN's fused call
  ConvCase c{
      .op = "FusedConv", .x = {2, 16, 14, 14}, .w = {16, 16, 3, 3}, .bias = true, .sum = true};
  c.attributes["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  c.activation = {ops::ActivationKind::Relu};
  return c;
}

ConvCase depthwise_clip() {  // MobileNetV2: depthwise 3x3 stride 2 with ReLU6
  ConvCase c{.op = "FusedConv", .x = {1, 24, 15, 15}, .w = {24, 1, 3, 3}, .bias = true};
  c.attributes = {{"group", int64_t(24)},
                  {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                  {"strides", std::vector<int64_t>{2, 2}}};
  c.activation = {ops::ActivationKind::Clip, 0.0f, 6.0f};
  return c;
}

ConvCase swish_same_upper() {  // EfficientNet exported from TF: SAME_UPPER stride 2, Swish
  ConvCase c{.op = "FusedConv", .x = {2, 8, 16, 16}, .w = {12, 8, 3, 3}, .bias = true};
  c.attributes = {{"auto_pad", std::string("SAME_UPPER")}, {"strides", std::vector<int64_t>{2, 2}}};
  c.activation = {ops::ActivationKind::Swish, 1.0f};
  return c;
}

TEST(GpuConv, PlainConvWithBias) {
  ConvCase c{.x = {2, 8, 9, 9}, .w = {16, 8, 3, 3}, .bias = true};
  c.attributes["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  check_case(c, ElementType::F32);
}

TEST(GpuConv, PointwiseNoBias) {
  check_case({.x = {1, 32, 7, 7}, .w = {64, 32, 1, 1}}, ElementType::F32);
}

TEST(GpuConv, StridesDilationsUnequalPads) {
  ConvCase c{.x = {2, 4, 11, 10}, .w = {6, 4, 3, 2}};
  c.attributes = {{"pads", std::vector<int64_t>{0, 2, 1, 0}},
                  {"strides", std::vector<int64_t>{2, 1}},
                  {"dilations", std::vector<int64_t>{2, 3}}};
  check_case(c, ElementType::F32);
}

TEST(GpuConv, SameLowerAndValid) {
  ConvCase c{.x = {1, 3, 10, 10}, .w = {5, 3, 4, 4}, .bias = true};
  c.attributes = {{"auto_pad", std::string("SAME_LOWER")}, {"strides", std::vector<int64_t>{3, 3}}};
  check_case(c, ElementType::F32);
  c.attributes = {{"auto_pad", std::string("VALID")}, {"strides", std::vector<int64_t>{2, 2}}};
  check_case(c, ElementType::F32);
}

TEST(GpuConv, Grouped) {
  ConvCase c{.x = {2, 8, 8, 8}, .w = {12, 4, 3, 3}, .bias = true};
  c.attributes = {{"group", int64_t(2)}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}};
  check_case(c, ElementType::F32);
}

TEST(GpuConv, OneDimensional) {
  ConvCase c{.x = {2, 6, 20}, .w = {4, 6, 5}, .bias = true};
  c.attributes = {{"pads", std::vector<int64_t>{2, 1}},
                  {"strides", std::vector<int64_t>{2}},
                  {"dilations", std::vector<int64_t>{1}}};
  check_case(c, ElementType::F32);
}

TEST(GpuConv, WeightsAtRunTime) {
  ConvCase c{.x = {1, 4, 6, 6}, .w = {8, 4, 3, 3}, .bias = true, .weights_constant = false};
  check_case(c, ElementType::F32);
}

TEST(GpuConv, FusedReluWithResidual) { check_case(resnet_block(), ElementType::F32); }

TEST(GpuConv, FusedReluNoBiasNoResidual) {
  ConvCase c = resnet_block();
  c.bias = c.sum = false;
  check_case(c, ElementType::F32);
}

TEST(GpuConv, FusedReluResidualInOutput) { check_case(resnet_block(), ElementType::F32, true); }

TEST(GpuConv, FusedDepthwiseClip) { check_case(depthwise_clip(), ElementType::F32); }

TEST(GpuConv, FusedSwishSameUpper) { check_case(swish_same_upper(), ElementType::F32); }

TEST(GpuConv, FusedEpilogueResidualInOutput) {
  ConvCase c = swish_same_upper();
  c.sum = true;
  check_case(c, ElementType::F32, true);
}

TEST(GpuConv, FusedGeluWithResidual) {
  ConvCase c = resnet_block();
  c.activation = {ops::ActivationKind::Gelu};
  check_case(c, ElementType::F32);
}

// A constant residual is passed as null at run time, as the executor does: the kernel holds it.
TEST(GpuConv, ConstantResidual) {
  ConvCase c = resnet_block();
  c.sum_constant = true;
  for (ops::ActivationKind kind : {ops::ActivationKind::Relu, ops::ActivationKind::Gelu}) {
    c.activation = {kind};
    check_case(c, ElementType::F32);
  }
}

TEST(GpuConv, HalfAndBfloat16) {
  for (ElementType type : {ElementType::F16, ElementType::BF16}) {
    SCOPED_TRACE(to_string(type));
    check_case(resnet_block(), type);
    check_case(depthwise_clip(), type);
    check_case(swish_same_upper(), type);
  }
}

// As a model's f16 and bf16 convolutions run (passes/channels_last.h): NHWC images and output,
// the weights laid out KRSC by the kernel; cuDNN's fused call with the residual, and the epilogue.
TEST(GpuConv, ChannelsLast) {
  ConvCase plain{.x = {2, 8, 9, 9}, .w = {12, 8, 3, 3}, .bias = true};
  plain.attributes["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  for (ElementType type : {ElementType::F16, ElementType::BF16}) {
    SCOPED_TRACE(to_string(type));
    check_case(plain, type, false, true);
    check_case(resnet_block(), type, false, true);
    check_case(resnet_block(), type, true, true);
    check_case(depthwise_clip(), type, false, true);
  }
}

TEST(GpuConv, OtherOpsAreNotConvolutions) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const ir::Node node{"relu", "Relu", "", {"x"}, {"y"}, {}};
  const GpuNode g{node, 14, {{2}}, {ElementType::F32}, {nullptr}, {{2}}, {ElementType::F32}};
  EXPECT_EQ(make_conv_kernel(g), nullptr);
}

TEST(GpuConv, DeclinedNodeThrowsUnsupported) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const ir::Node node{"conv3d", "Conv", "", {"x", "w"}, {"y"}, {}};
  const GpuNode g{node,
                  22,
                  {{1, 2, 4, 4, 4}, {2, 2, 1, 1, 1}},
                  {ElementType::F32, ElementType::F32},
                  {nullptr, nullptr},
                  {{1, 2, 4, 4, 4}},
                  {ElementType::F32}};
  try {
    make_conv_kernel(g);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported) << e.what();
  }
}

}  // namespace
}  // namespace tandem::gpu
