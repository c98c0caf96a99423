// The cuBLASLt kernels of MatMul, Gemm and FusedMatMul against the ops' reference kernels: folded,
// strided and broadcast batches, 1-D operands, every way Gemm's C broadcasts, FusedMatMul's
// activations with cuBLASLt's epilogues and with the epilogue kernel, in f32, f16 and bf16.
#include "devices/gpu/cuda/kernels/matmul.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "devices/gpu/cuda/gpu_test_util.h"
#include "devices/gpu/cuda/kernel_case.h"

namespace tandem::gpu {
namespace {

using testing::expect_close;
using testing::gpu_present;
using testing::Input;
using testing::random_tensor;
using testing::reference;
using testing::Run;
using testing::run_kernel;

struct Case {
  ir::Node node;
  int opset = 13;
  std::vector<Input> inputs;
  Shape output;

  Case(std::string op, Shape output_shape, std::string domain = "")
      : output(std::move(output_shape)) {
    node.op_type = std::move(op);
    node.domain = std::move(domain);
    node.outputs = {"y"};
  }
  Case& input(Tensor value, bool constant = false) {
    node.inputs.push_back("x" + std::to_string(node.inputs.size()));
    inputs.push_back({std::move(value), constant});
    return *this;
  }
  Case& attr(const std::string& name, ir::Attribute value) {
    node.attributes[name] = std::move(value);
    return *this;
  }
};

// The node's kernel run with cuBLAS and cuBLASLt; a constant's upload is passed too, for the
// constants the kernel does not hold.
Run run_on_gpu(const Case& c, ElementType compute) {
  return run_kernel(make_matmul_kernel, c.node, c.opset, c.inputs, c.output, compute,
                    {.libraries = {.cublas = true, .cublas_lt = true}, .pass_constants = true});
}

// f32 within 1e-5 of the output's largest magnitude (1e-4 past 256 terms a sum); f16 and bf16
// within 1e-2 of it, and at cosine 0.999 of the reference.
void expect_matches(const Case& c, ElementType compute, int64_t k) {
  SCOPED_TRACE(c.node.op_type + " in " + std::string(to_string(compute)));
  expect_close(run_on_gpu(c, compute).output, reference(c.node, c.opset, c.inputs), compute,
               {.f32 = k > 256 ? 1e-4 : 1e-5});
}

constexpr ElementType kTypes[] = {ElementType::F32, ElementType::F16, ElementType::BF16};

Case matmul(const Shape& a, const Shape& b, const Shape& y, bool b_constant, ElementType type,
            std::mt19937& rng) {
  return Case("MatMul", y)
      .input(random_tensor(a, type, rng))
      .input(random_tensor(b, type, rng), b_constant);
}

TEST(GpuMatMul, ConstantWeightsFoldTheBatchIntoRows) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(1);
  for (ElementType type : kTypes) {
    expect_matches(matmul({1, 7, 33}, {33, 17}, {1, 7, 17}, true, type, rng), type, 33);
    expect_matches(matmul({2, 64, 768}, {768, 256}, {2, 64, 256}, true, type, rng), type, 768);
    expect_matches(matmul({5, 1}, {1, 3}, {5, 3}, true, type, rng), type, 1);
  }
}

TEST(GpuMatMul, StridedBatchesOfTwoActivations) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(2);
  for (ElementType type : kTypes) {
    expect_matches(matmul({3, 5, 16}, {3, 16, 9}, {3, 5, 9}, false, type, rng), type, 16);
    expect_matches(matmul({2, 12, 32, 64}, {2, 12, 64, 32}, {2, 12, 32, 32}, false, type, rng),
                   type, 64);
  }
}

TEST(GpuMatMul, BroadcastBatchesAndVectors) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(3);
  for (ElementType type : kTypes) {
    expect_matches(matmul({2, 1, 4, 8}, {1, 3, 8, 5}, {2, 3, 4, 5}, false, type, rng), type, 8);
    expect_matches(matmul({4, 8}, {3, 8, 5}, {3, 4, 5}, false, type, rng), type, 8);
    expect_matches(matmul({4}, {3, 4, 6}, {3, 6}, false, type, rng), type, 4);
    expect_matches(matmul({5, 6}, {6}, {5}, true, type, rng), type, 6);
    expect_matches(matmul({7}, {7}, {}, false, type, rng), type, 7);
  }
}

Case gemm(int64_t m, int64_t k, int64_t n, bool ta, bool tb, std::optional<Shape> c,
          bool c_constant, float alpha, float beta, ElementType type, std::mt19937& rng) {
  Case g("Gemm", {m, n});
  g.input(random_tensor(ta ? Shape{k, m} : Shape{m, k}, type, rng))
      .input(random_tensor(tb ? Shape{n, k} : Shape{k, n}, type, rng), true)
      .attr("transA", int64_t(ta))
      .attr("transB", int64_t(tb))
      .attr("alpha", alpha)
      .attr("beta", beta);
  if (c) g.input(random_tensor(*c, type, rng), c_constant);
  return g;
}

TEST(GpuGemm, TransposesScalesAndBiases) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(4);
  for (ElementType type : kTypes)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        expect_matches(gemm(6, 20, 10, ta, tb, Shape{10}, true, 1.0f, 1.0f, type, rng), type, 20);
        expect_matches(gemm(6, 20, 10, ta, tb, std::nullopt, false, 0.5f, 1.0f, type, rng), type,
                       20);
      }
}

TEST(GpuGemm, EveryBroadcastOfC) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(5);
  for (ElementType type : kTypes)
    for (bool constant : {false, true})
      for (const Shape& c : {Shape{9}, Shape{1, 9}, Shape{4, 9}, Shape{4, 1}, Shape{1}, Shape{}})
        expect_matches(gemm(4, 12, 9, false, true, c, constant, 1.5f, -0.75f, type, rng), type, 12);
}

TEST(GpuGemm, ClassifierHead) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(6);
  for (ElementType type : kTypes)
    expect_matches(gemm(2, 768, 1000, false, true, Shape{1000}, true, 1.0f, 1.0f, type, rng), type,
                   768);
}

Case fused(const Shape& a, const Shape& b, const Shape& y, bool bias, bool bias_constant,
           const std::string& activation, ElementType type, std::mt19937& rng) {
  Case f("FusedMatMul", y, "com.tandem");
  f.opset = 1;
  f.input(random_tensor(a, type, rng)).input(random_tensor(b, type, rng), true);
  if (bias) f.input(random_tensor({y.back()}, type, rng), bias_constant);
  if (activation == "GeluTanh") {
    f.attr("activation", std::string("Gelu")).attr("activation_approximate", std::string("tanh"));
  } else if (!activation.empty()) {
    f.attr("activation", activation);
    if (activation == "LeakyRelu" || activation == "Elu") f.attr("activation_alpha", 0.1f);
    if (activation == "HardSigmoid") f.attr("activation_alpha", 0.2f).attr("activation_beta", 0.5f);
    if (activation == "Clip") f.attr("activation_alpha", -0.5f).attr("activation_beta", 0.5f);
  }
  return f;
}

TEST(GpuFusedMatMul, CublasLtEpilogues) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(7);
  for (ElementType type : kTypes)
    for (const char* activation : {"", "Relu", "GeluTanh"}) {
      expect_matches(fused({1, 13, 96}, {96, 40}, {1, 13, 40}, true, true, activation, type, rng),
                     type, 96);
      expect_matches(fused({13, 96}, {96, 40}, {13, 40}, false, false, activation, type, rng), type,
                     96);
    }
}

TEST(GpuFusedMatMul, EpilogueKernelActivations) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(8);
  for (ElementType type : kTypes)
    for (const char* activation :
         {"Gelu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "HardSigmoid", "HardSwish", "Clip"})
      expect_matches(fused({2, 9, 64}, {64, 24}, {2, 9, 24}, true, true, activation, type, rng),
                     type, 64);
}

TEST(GpuFusedMatMul, BiasThatIsNotConstantAndBatchedWeights) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(9);
  for (ElementType type : kTypes) {
    expect_matches(fused({9, 32}, {32, 24}, {9, 24}, true, false, "Relu", type, rng), type, 32);
    expect_matches(fused({3, 9, 32}, {3, 32, 24}, {3, 9, 24}, true, true, "Gelu", type, rng), type,
                   32);
  }
}

// BERT-base's feed-forward layer: [1, 128, 768] x [768, 3072] + bias, GELU.
TEST(GpuFusedMatMul, BertFeedForward) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(10);
  for (ElementType type : kTypes) {
    const Case c = fused({1, 128, 768}, {768, 3072}, {1, 128, 3072}, true, true, "Gelu", type, rng);
    EXPECT_EQ(run_on_gpu(c, type).kernel, "cublaslt_fused_matmul_" + std::string(to_string(type)));
    expect_matches(c, type, 768);
  }
}

TEST(GpuMatMul, OtherOpsHaveNoMatMulKernel) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  testing::expect_no_kernel_for_add(make_matmul_kernel);
}

}  // namespace
}  // namespace tandem::gpu
