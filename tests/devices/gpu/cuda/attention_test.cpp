// The cuBLAS attention kernel against MultiHeadAttention's reference: 4-D and 3-D, loops over
// batches and over heads, masks of every broadcast, constant or not, rows longer than a block,
// in f32, f16 and bf16.
#include "devices/gpu/cuda/kernels/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/gpu_test_util.h"
#include "ops/kernel_context.h"
#include "ops/registry.h"

namespace tandem::gpu {
namespace {

using testing::gpu_present;

constexpr ElementType kTypes[] = {ElementType::F32, ElementType::F16, ElementType::BF16};

float rounded(float v, ElementType storage) {
  if (storage == ElementType::F16) return float(float16(v));
  if (storage == ElementType::BF16) return float(bfloat16(v));
  return v;
}

// Values in [lo, hi], rounded to the storage type so that the reference and the GPU read the
// same numbers.
Tensor random_tensor(const Shape& shape, ElementType storage, std::mt19937& rng, float lo = -1.0f,
                     float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(ElementType::F32, shape);
  for (float& v : t.span<float>()) v = rounded(d(rng), storage);
  return t;
}

// A padding mask's kind of values: mostly small, some -10000 (masked out) where the mask varies
// along a row, never a whole row (in f32, scores + -10000 keeps only 3 of their digits).
Tensor random_mask(const Shape& shape, ElementType storage, std::mt19937& rng) {
  Tensor t = random_tensor(shape, storage, rng, -2.0f, 0.0f);
  auto values = t.span<float>();
  if (!shape.empty() && shape.back() > 1)
    for (size_t i = 1; i < values.size(); i += 3) values[i] = rounded(-10000.0f, storage);
  return t;
}

struct Case {
  ir::Node node;
  std::vector<Tensor> inputs;
  std::optional<bool> mask_constant;
  Shape output;
};

Case attention(const Shape& q, const Shape& k, const Shape& v, float scale, ElementType type,
               std::mt19937& rng) {
  Case c;
  c.node.op_type = "MultiHeadAttention";
  c.node.domain = "com.tandem";
  c.node.inputs = {"q", "k", "v"};
  c.node.outputs = {"y"};
  c.node.attributes["scale"] = scale;
  for (const Shape& s : {q, k, v}) c.inputs.push_back(random_tensor(s, type, rng));
  c.output = q;
  c.output.back() = v.back();
  return c;
}

Case& with_mask(Case& c, const Shape& mask, bool constant, ElementType type, std::mt19937& rng) {
  c.node.inputs.push_back("mask");
  c.inputs.push_back(random_mask(mask, type, rng));
  c.mask_constant = constant;
  return c;
}

Tensor reference(const Case& c) {
  const ops::OpDef* def = ops::Registry::global().find(c.node.domain, c.node.op_type);
  if (!def) throw Error(ErrorKind::Runtime, "no op MultiHeadAttention");
  std::vector<Value> values(c.inputs.begin(), c.inputs.end());
  std::vector<const Value*> pointers;
  for (const Value& v : values) pointers.push_back(&v);
  const std::vector<ValueType> outputs{ValueType::tensor(ElementType::F32, PartialShape(c.output))};
  ops::KernelContext ctx(c.node, 1, pointers, outputs, nullptr);
  def->reference(ctx);
  return ctx.results().at(0).tensor();
}

std::vector<float> to_floats(const Tensor& host) {
  std::vector<float> out(size_t(host.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    switch (host.element_type()) {
      case ElementType::F32:
        out[i] = host.data<float>()[i];
        break;
      case ElementType::F16:
        out[i] = float(host.data<float16>()[i]);
        break;
      default:
        out[i] = float(host.data<bfloat16>()[i]);
        break;
    }
  }
  return out;
}

// The kernel made and launched on a stream of its own (the cuBLAS handle bound to it), its
// output poisoned first (all ones: NaN in every float type); returns the output.
std::vector<float> run_on_gpu(const Case& c, ElementType compute) {
  Handles handles;
  cudaStream_t stream = nullptr;
  check(cudaStreamCreate(&stream), "cudaStreamCreate");
  check(cublasCreate(&handles.cublas), "cublasCreate");
  check(cublasSetStream(handles.cublas, stream), "cublasSetStream");
  std::vector<float> result;
  {
    GpuNode node{c.node, 1, {}, {}, {}, {c.output}, {compute}, compute, &handles};
    std::vector<DeviceBuffer> buffers;
    std::vector<const void*> inputs;
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      node.input_shapes.push_back(c.inputs[i].shape());
      node.input_types.push_back(compute);
      node.constants.push_back(i == 3 && *c.mask_constant ? &c.inputs[i] : nullptr);
      buffers.push_back(upload(c.inputs[i], compute));
      // A constant mask is the kernel's own upload: the launch passes none.
      inputs.push_back(node.constants.back() ? nullptr : buffers.back().get());
    }
    const std::unique_ptr<GpuKernel> kernel = make_attention_kernel(node);
    EXPECT_TRUE(kernel != nullptr);
    if (!kernel) return {};
    EXPECT_EQ(kernel->name(), "cublas_attention_" + std::string(to_string(compute)));
    DeviceBuffer y(shape_size(c.output) * element_size(compute));
    check(cudaMemset(y.get(), 0xff, y.bytes()), "cudaMemset");
    DeviceBuffer workspace(kernel->workspace_bytes());
    std::vector<void*> outputs{y.get()};
    kernel->launch(Launch{stream, &handles, inputs, outputs, workspace.get()});
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    Tensor host(compute, c.output);
    check(cudaMemcpy(host.data(), y.get(), host.byte_size(), cudaMemcpyDeviceToHost), "cudaMemcpy");
    result = to_floats(host);
  }
  cublasDestroy(handles.cublas);
  cudaStreamDestroy(stream);
  return result;
}

// f32 within 1e-5 of the output's largest magnitude (1e-4 past 256 keys); f16 and bf16 within
// 1e-2 of it, and at cosine 0.999 of the reference.
void expect_matches(const Case& c, ElementType compute) {
  SCOPED_TRACE(std::string(to_string(compute)) + ", Q " + to_string(c.inputs[0].shape()) +
               (c.inputs.size() > 3 ? ", mask " + to_string(c.inputs[3].shape()) : ""));
  const std::vector<float> got = run_on_gpu(c, compute);
  const std::vector<float> want = to_floats(reference(c));
  ASSERT_EQ(got.size(), want.size());
  double largest = 0, worst = 0, dot = 0, got_norm = 0, want_norm = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_TRUE(std::isfinite(got[i])) << "at " << i << " (poison left or overflow)";
    largest = std::max(largest, std::abs(double(want[i])));
    worst = std::max(worst, std::abs(double(got[i]) - want[i]));
    dot += double(got[i]) * want[i];
    got_norm += double(got[i]) * got[i];
    want_norm += double(want[i]) * want[i];
  }
  const double scale = std::max(largest, 1e-3);
  const int64_t keys = c.inputs[1].shape()[c.inputs[1].rank() - 3];
  if (compute == ElementType::F32) {
    EXPECT_LE(worst / scale, keys > 256 ? 1e-4 : 1e-5);
  } else {
    EXPECT_LE(worst / scale, 1e-2);
    EXPECT_GE(dot / std::sqrt(got_norm * want_norm), 0.999);
  }
}

TEST(GpuAttention, LoopsOverBatchesOrHeads) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(1);
  for (ElementType type : kTypes) {
    // 2 batches of 4 heads: a loop over batches; 5 batches of 2 heads: over heads.
    expect_matches(attention({2, 7, 4, 16}, {2, 9, 4, 16}, {2, 9, 4, 8}, 0.25f, type, rng), type);
    expect_matches(attention({5, 3, 2, 8}, {5, 6, 2, 8}, {5, 6, 2, 8}, 0.35f, type, rng), type);
    expect_matches(attention({1, 1, 3, 32}, {1, 11, 3, 32}, {1, 11, 3, 32}, 0.18f, type, rng),
                   type);
  }
}

TEST(GpuAttention, ThreeDimensional) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(2);
  for (ElementType type : kTypes)
    expect_matches(attention({6, 4, 8}, {10, 4, 8}, {10, 4, 12}, 0.35f, type, rng), type);
}

TEST(GpuAttention, MasksOfEveryBroadcast) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(3);
  for (ElementType type : kTypes)
    for (bool constant : {false, true})
      for (const Shape& mask : {Shape{2, 1, 1, 9}, Shape{7, 9}, Shape{2, 4, 7, 9},
                                Shape{1, 4, 1, 9}, Shape{9}, Shape{2, 1, 7, 1}}) {
        Case c = attention({2, 7, 4, 16}, {2, 9, 4, 16}, {2, 9, 4, 16}, 0.25f, type, rng);
        expect_matches(with_mask(c, mask, constant, type, rng), type);
      }
}

TEST(GpuAttention, RowsLongerThanABlock) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(4);
  for (ElementType type : kTypes) {
    Case c = attention({1, 5, 2, 16}, {1, 700, 2, 16}, {1, 700, 2, 16}, 0.25f, type, rng);
    expect_matches(with_mask(c, {1, 1, 1, 700}, false, type, rng), type);
  }
}

// BERT-base's self-attention: 12 heads of 64, 128 tokens, a padding mask.
TEST(GpuAttention, BertSelfAttention) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(5);
  for (ElementType type : kTypes) {
    Case c = attention({1, 128, 12, 64}, {1, 128, 12, 64}, {1, 128, 12, 64}, 0.125f, type, rng);
    expect_matches(with_mask(c, {1, 1, 1, 128}, false, type, rng), type);
  }
}

TEST(GpuAttention, OtherOpsHaveNoAttentionKernel) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  ir::Node add;
  add.op_type = "Add";
  const GpuNode node{add,
                     13,
                     {{2}, {2}},
                     {ElementType::F32, ElementType::F32},
                     {nullptr, nullptr},
                     {{2}},
                     {ElementType::F32},
                     ElementType::F32,
                     nullptr};
  EXPECT_EQ(make_attention_kernel(node), nullptr);
}

}  // namespace
}  // namespace tandem::gpu
