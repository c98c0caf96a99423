// The pools on cuDNN against the ops' reference kernels: random inputs (rounded to the compute
// type first, so that both sides see the same values), the GPU's output poisoned before the run.
#include "devices/gpu/cuda/kernels/pool.h"

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

// Runs the node's GPU kernel.
std::vector<float> run_gpu(const ir::Node& node, int opset, const std::vector<Input>& inputs,
                           const Shape& out_shape, ElementType compute) {
  Context context;
  GpuNode g{node, opset, {}, {}, {}, {out_shape}, {compute}, compute, &context.handles};
  for (const Input& in : inputs) {
    g.input_shapes.push_back(in.value ? in.value->shape() : Shape{});
    g.input_types.push_back(in.value ? compute : ElementType::Undefined);
    g.constants.push_back(in.value && in.constant ? &*in.value : nullptr);
  }
  const std::unique_ptr<GpuKernel> kernel = make_pool_kernel(g);
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
  check(cudaMemset(y, 0xff, out_bytes), "poisoning the output");  // NaN in every float type
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

// f32 within 1e-5 of the largest reference value (1e-4 for the global pools' long sums); f16
// and bf16 by cosine similarity.
void expect_close(const std::vector<float>& got, const Tensor& want, ElementType compute,
                  double tolerance) {
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
    EXPECT_LE(max_err / max_ref, tolerance);
  } else {
    EXPECT_GE(dot / std::sqrt(gg * ww + 1e-30), 0.999);
    EXPECT_LE(max_err / max_ref, 2e-2);
  }
}

using Attributes = std::map<std::string, ir::Attribute>;

void check_pool(const std::string& op, int opset, const Shape& x, const Attributes& attributes,
                ElementType compute = ElementType::F32, double tolerance = 1e-5) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const ir::Node node{"pool", op, "", {"x"}, {"y"}, attributes};
  const std::vector<Input> inputs{random_input(x, compute, false, 7)};
  const Tensor want = reference(node, opset, inputs);
  const std::vector<float> got = run_gpu(node, opset, inputs, want.shape(), compute);
  expect_close(got, want, compute, tolerance);
}

TEST(GpuPool, MaxPoolResNetStem) {
  check_pool("MaxPool", 12, {2, 8, 16, 16},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"pads", std::vector<int64_t>{1, 1, 1, 1}},
              {"strides", std::vector<int64_t>{2, 2}}});
}

TEST(GpuPool, MaxPoolCeilMode) {
  check_pool("MaxPool", 12, {1, 4, 14, 13},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"strides", std::vector<int64_t>{2, 2}},
              {"ceil_mode", int64_t(1)}});
}

TEST(GpuPool, MaxPoolUnequalPadsAndSameUpper) {
  check_pool(
      "MaxPool", 12, {1, 3, 9, 10},
      {{"kernel_shape", std::vector<int64_t>{3, 2}}, {"pads", std::vector<int64_t>{0, 1, 2, 0}}});
  check_pool("MaxPool", 12, {1, 3, 9, 10},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"auto_pad", std::string("SAME_UPPER")},
              {"strides", std::vector<int64_t>{2, 2}}});
}

TEST(GpuPool, MaxPoolOneDimensional) {
  check_pool("MaxPool", 12, {2, 3, 17},
             {{"kernel_shape", std::vector<int64_t>{4}},
              {"pads", std::vector<int64_t>{1, 2}},
              {"strides", std::vector<int64_t>{3}}});
}

TEST(GpuPool, AveragePoolExcludingPadding) {
  check_pool("AveragePool", 19, {2, 4, 11, 11},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"pads", std::vector<int64_t>{1, 0, 2, 1}},
              {"strides", std::vector<int64_t>{2, 2}},
              {"ceil_mode", int64_t(1)}});
}

TEST(GpuPool, AveragePoolIncludingPadding) {
  check_pool("AveragePool", 19, {2, 4, 11, 11},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"pads", std::vector<int64_t>{1, 1, 1, 1}},
              {"strides", std::vector<int64_t>{2, 2}},
              {"count_include_pad", int64_t(1)}});
}

TEST(GpuPool, GlobalPools) {
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"}) {
    SCOPED_TRACE(op);
    check_pool(op, 22, {2, 16, 7, 7}, {}, ElementType::F32, 1e-4);
    check_pool(op, 22, {2, 5, 3, 4, 5}, {}, ElementType::F32, 1e-4);
    check_pool(op, 22, {3, 6, 50}, {}, ElementType::F32, 1e-4);
  }
}

TEST(GpuPool, HalfAndBfloat16) {
  for (ElementType type : {ElementType::F16, ElementType::BF16}) {
    SCOPED_TRACE(to_string(type));
    check_pool("MaxPool", 12, {2, 8, 16, 16},
               {{"kernel_shape", std::vector<int64_t>{3, 3}},
                {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                {"strides", std::vector<int64_t>{2, 2}}},
               type);
    check_pool(
        "AveragePool", 19, {2, 4, 11, 11},
        {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}},
        type);
    check_pool("GlobalAveragePool", 22, {2, 16, 7, 7}, {}, type);
  }
}

TEST(GpuPool, OtherOpsAreNotPools) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const ir::Node node{"relu", "Relu", "", {"x"}, {"y"}, {}};
  const GpuNode g{node, 14, {{2}}, {ElementType::F32}, {nullptr}, {{2}}, {ElementType::F32}};
  EXPECT_EQ(make_pool_kernel(g), nullptr);
}

TEST(GpuPool, DeclinedNodeThrowsUnsupported) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const ir::Node node{"pool", "MaxPool",        "",
                      {"x"},  {"y", "indices"}, {{"kernel_shape", std::vector<int64_t>{2, 2}}}};
  const GpuNode g{node,
                  12,
                  {{1, 2, 4, 4}},
                  {ElementType::F32},
                  {nullptr},
                  {{1, 2, 3, 3}, {1, 2, 3, 3}},
                  {ElementType::F32, ElementType::I64}};
  try {
    make_pool_kernel(g);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported) << e.what();
  }
}

}  // namespace
}  // namespace tandem::gpu
