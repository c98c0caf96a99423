// Conv and FusedConv on cuDNN against the ops' reference kernels: random inputs (rounded to the
// compute type first, so that both sides see the same values), the GPU's output poisoned before
// the run.
#include "devices/gpu/cuda/kernels/conv.h"

#include <cuda_runtime.h>
#include <cudnn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/gpu_test_util.h"
#include "ir/graph.h"
#include "ops/infer_context.h"
#include "ops/kernel_context.h"
#include "ops/nn/fused_conv.h"
#include "ops/op.h"
#include "ops/registry.h"

namespace tandem::gpu {
namespace {

using testing::gpu_present;

// An input of the node under test: absent, a constant (weights: the kernel's own copy) or a
// tensor the run passes.
struct Input {
  std::optional<Tensor> value;
  bool constant = false;
};

float rounded(float v, ElementType type) {
  if (type == ElementType::F16) return float(float16(v));
  if (type == ElementType::BF16) return float(bfloat16(v));
  return v;
}

Input random_input(const Shape& shape, ElementType type, bool constant, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> values(size_t(shape_size(shape)));
  for (float& v : values) v = rounded(dist(rng), type);
  return {Tensor::from<float>(std::move(values), shape), constant};
}

// The reference kernel's output for f32 inputs.
Tensor reference(const ir::Node& node, int opset, const std::vector<Input>& inputs) {
  std::vector<Value> values;
  std::vector<ValueType> types;
  values.reserve(inputs.size());
  types.reserve(inputs.size());
  for (const Input& in : inputs) {
    values.push_back(in.value ? Value(*in.value) : Value());
    types.push_back(in.value ? ValueType::tensor(ElementType::F32, PartialShape(in.value->shape()))
                             : ValueType());
  }
  std::vector<const Value*> value_ptrs;
  std::vector<const ValueType*> type_ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    value_ptrs.push_back(inputs[i].value ? &values[i] : nullptr);
    type_ptrs.push_back(inputs[i].value ? &types[i] : nullptr);
  }
  const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
  EXPECT_NE(def, nullptr);
  ops::InferContext infer(node, opset, type_ptrs, value_ptrs);
  def->infer(infer);
  const std::vector<ValueType> outputs = infer.outputs();
  ops::KernelContext ctx(node, opset, value_ptrs, outputs, nullptr);
  def->reference(ctx);
  return ctx.results()[0].tensor();
}

// The stream and cuDNN handle of one test run.
struct Context {
  cudaStream_t stream = nullptr;
  Handles handles;
  Context() {
    check(cudaStreamCreate(&stream), "cudaStreamCreate");
    check(cudnnCreate(&handles.cudnn), "cudnnCreate");
    check(cudnnSetStream(handles.cudnn, stream), "cudnnSetStream");
  }
  ~Context() {
    cudnnDestroy(handles.cudnn);
    cudaStreamDestroy(stream);
  }
};

std::vector<float> to_floats(const std::vector<unsigned char>& bytes, ElementType type) {
  const size_t count = bytes.size() / element_size(type);
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) {
    if (type == ElementType::F32) {
      std::memcpy(&out[i], bytes.data() + 4 * i, 4);
    } else {
      uint16_t bits = 0;
      std::memcpy(&bits, bytes.data() + 2 * i, 2);
      out[i] = type == ElementType::F16 ? float(float16::from_bits(bits))
                                        : float(bfloat16::from_bits(bits));
    }
  }
  return out;
}

// Runs the node's GPU kernel; `sum_in_output`: the output is written over input 3's memory.
std::vector<float> run_gpu(const ir::Node& node, int opset, const std::vector<Input>& inputs,
                           const Shape& out_shape, ElementType compute,
                           bool sum_in_output = false) {
  Context context;
  GpuNode g{node, opset, {}, {}, {}, {out_shape}, {compute}, compute, &context.handles};
  for (const Input& in : inputs) {
    g.input_shapes.push_back(in.value ? in.value->shape() : Shape{});
    g.input_types.push_back(in.value ? compute : ElementType::Undefined);
    g.constants.push_back(in.value && in.constant ? &*in.value : nullptr);
  }
  const std::unique_ptr<GpuKernel> kernel = make_conv_kernel(g);
  EXPECT_NE(kernel, nullptr);
  if (!kernel) return {};

  std::vector<DeviceBuffer> buffers;
  std::vector<const void*> pointers;
  for (const Input& in : inputs) {
    // Constants are the kernel's own: the run passes it nothing for them.
    if (!in.value || in.constant) {
      pointers.push_back(nullptr);
      continue;
    }
    buffers.push_back(upload(*in.value, compute));
    pointers.push_back(buffers.back().get());
  }
  const size_t out_bytes = size_t(shape_size(out_shape)) * element_size(compute);
  DeviceBuffer output(out_bytes);
  void* y = output.get();
  if (sum_in_output) {
    y = const_cast<void*>(pointers.at(ops::kFusedConvSumInput));
  } else {
    check(cudaMemset(y, 0xff, out_bytes), "poisoning the output");  // NaN in every float type
  }
  DeviceBuffer workspace(kernel->workspace_bytes());
  check(cudaMemset(workspace.get(), 0xff, workspace.bytes()), "poisoning the workspace");
  std::vector<void*> outputs{y};
  const Launch launch{context.stream, &context.handles, pointers, outputs, workspace.get()};
  kernel->launch(launch);
  check(cudaStreamSynchronize(context.stream), "running the kernel");
  std::vector<unsigned char> bytes(out_bytes);
  check(cudaMemcpy(bytes.data(), y, out_bytes, cudaMemcpyDeviceToHost), "copying back");
  return to_floats(bytes, compute);
}

// f32 within 1e-4 of the largest reference value (the convolutions' sums are long); f16 and
// bf16 by cosine similarity.
void expect_close(const std::vector<float>& got, const Tensor& want, ElementType compute) {
  auto w = want.span<const float>();
  ASSERT_EQ(got.size(), w.size());
  double max_ref = 1e-6, max_err = 0, dot = 0, gg = 0, ww = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    ASSERT_FALSE(std::isnan(got[i])) << "at " << i;
    max_ref = std::max(max_ref, double(std::abs(w[i])));
    max_err = std::max(max_err, double(std::abs(got[i] - w[i])));
    dot += double(got[i]) * w[i];
    gg += double(got[i]) * got[i];
    ww += double(w[i]) * w[i];
  }
  if (compute == ElementType::F32) {
    EXPECT_LE(max_err / max_ref, 1e-4);
  } else {
    EXPECT_GE(dot / std::sqrt(gg * ww + 1e-30), 0.999);
    EXPECT_LE(max_err / max_ref, 2e-2);
  }
}

struct ConvCase {
  std::string op = "Conv";
  Shape x, w;
  bool bias = false, sum = false;
  std::map<std::string, ir::Attribute> attributes;
  ops::Activation activation;
  bool weights_constant = true;
};

void check_case(const ConvCase& c, ElementType compute, bool sum_in_output = false) {
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
    inputs.push_back(random_input(out, compute, false, 4));
  }
  const Tensor want = reference(node, opset, inputs);
  const std::vector<float> got = run_gpu(node, opset, inputs, want.shape(), compute, sum_in_output);
  expect_close(got, want, compute);
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

TEST(GpuConv, HalfAndBfloat16) {
  for (ElementType type : {ElementType::F16, ElementType::BF16}) {
    SCOPED_TRACE(to_string(type));
    check_case(resnet_block(), type);
    check_case(depthwise_clip(), type);
    check_case(swish_same_upper(), type);
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
