// The attention kernels against MultiHeadAttention's reference: the cuBLAS one (4-D and 3-D,
// loops over batches and over heads, masks of every broadcast, constant or not, rows longer than
// a block, in f32, f16 and bf16) and the fused one (f16 and bf16 heads of 32, 64 and 128, queries
// and keys around its tiles and chunks, keys up to its shared-memory limit and past it).
#include "devices/gpu/cuda/kernels/attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
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
using testing::rounded;
using testing::Run;
using testing::run_kernel;

constexpr ElementType kTypes[] = {ElementType::F32, ElementType::F16, ElementType::BF16};

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
  std::vector<Input> inputs;  // Q, K, V and the mask, which alone may be a constant
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
  for (const Shape& s : {q, k, v}) c.inputs.push_back({random_tensor(s, type, rng)});
  c.output = q;
  c.output.back() = v.back();
  return c;
}

Case& with_mask(Case& c, const Shape& mask, bool constant, ElementType type, std::mt19937& rng) {
  c.node.inputs.push_back("mask");
  c.inputs.push_back({random_mask(mask, type, rng), constant});
  return c;
}

// Whether make_attention_kernel should choose the fused kernel, its rule written out again: f16
// or bf16, D == D_v in {32, 64, 128}, and a block's shared memory within the device's opt-in
// limit: a Q tile and a K/V chunk of 64 rows of D + 8 two-byte elements, and four warps' 16 rows
// of scores, each of S_kv or D floats (the longer) in whole tiles of 16, and 4 more.
bool fused_expected(const Case& c, ElementType compute) {
  if (compute != ElementType::F16 && compute != ElementType::BF16) return false;
  const Shape &k = c.inputs[1].value->shape(), &v = c.inputs[2].value->shape();
  const int64_t d = k.back(), kv_len = k[k.size() - 3];
  if (d != v.back() || (d != 32 && d != 64 && d != 128)) return false;
  const int64_t row = (std::max(kv_len, d) + 15) / 16 * 16 + 4;
  const int64_t bytes = 2 * 64 * (d + 8) * 2 + 4 * 16 * row * 4;
  int device = 0, limit = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&limit, cudaDevAttrMaxSharedMemoryPerBlockOptin, device),
        "cudaDeviceGetAttribute");
  return bytes <= limit;
}

// f32 within 1e-5 of the output's largest magnitude (1e-4 past 256 keys); f16 and bf16 within
// 1e-2 of it, and at cosine 0.999 of the reference.
void expect_matches(const Case& c, ElementType compute) {
  const Shape& keys = c.inputs[1].value->shape();
  SCOPED_TRACE(std::string(to_string(compute)) + ", Q " + to_string(c.inputs[0].value->shape()) +
               ", K " + to_string(keys) + ", V " + to_string(c.inputs[2].value->shape()) +
               (c.inputs.size() > 3 ? ", mask " + to_string(c.inputs[3].value->shape()) +
                                          (c.inputs[3].constant ? " (constant)" : "")
                                    : ""));
  const Run run = run_kernel(make_attention_kernel, c.node, 1, c.inputs, c.output, compute,
                             {.libraries = {.cublas = true}});
  const std::string kernel = fused_expected(c, compute) ? "fused_attention_" : "cublas_attention_";
  EXPECT_EQ(run.kernel, kernel + std::string(to_string(compute)));
  expect_close(run.output, reference(c.node, 1, c.inputs), compute,
               {.f32 = keys[keys.size() - 3] > 256 ? 1e-4 : 1e-5});
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

// The fused kernel's head sizes, with queries below, at and above a block's 64 (and one past
// two blocks), and keys below a tile of 16, at a chunk of 64, and past whole tiles and chunks.
TEST(GpuAttention, FusedHeadSizesAndTileEdges) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(6);
  for (ElementType type : kTypes)
    for (int64_t d : {32, 64, 128})
      for (int64_t q_len : {1, 64, 70, 130})
        for (int64_t kv_len : {9, 64, 77, 200}) {
          const float scale = 1.0f / std::sqrt(float(d));
          expect_matches(
              attention({2, q_len, 3, d}, {2, kv_len, 3, d}, {2, kv_len, 3, d}, scale, type, rng),
              type);
        }
}

TEST(GpuAttention, FusedMasksOfEveryBroadcast) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(7);
  for (ElementType type : kTypes)
    for (bool constant : {false, true})
      for (const Shape& mask :
           {Shape{2, 1, 1, 77}, Shape{70, 77}, Shape{2, 3, 70, 77}, Shape{1, 3, 1, 77}, Shape{77},
            Shape{2, 1, 70, 1}, Shape{3, 70, 77}, Shape{3, 1, 1}, Shape{1}}) {
        Case c = attention({2, 70, 3, 32}, {2, 77, 3, 32}, {2, 77, 3, 32}, 0.18f, type, rng);
        expect_matches(with_mask(c, mask, constant, type, rng), type);
      }
}

// Keys that take many chunks: 500 fit an A100's and an H100's shared memory, 800 an H100's only,
// and 1000 neither (the cuBLAS kernel then).
TEST(GpuAttention, LongKeys) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(8);
  for (ElementType type : kTypes)
    for (int64_t kv_len : {500, 800, 1000}) {
      Case c = attention({1, 70, 2, 64}, {1, kv_len, 2, 64}, {1, kv_len, 2, 64}, 0.125f, type, rng);
      expect_matches(with_mask(c, {1, 1, 1, kv_len}, false, type, rng), type);
    }
}

TEST(GpuAttention, FusedThreeDimensional) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(9);
  for (ElementType type : kTypes) {
    expect_matches(attention({70, 3, 64}, {77, 3, 64}, {77, 3, 64}, 0.125f, type, rng), type);
    for (bool constant : {false, true}) {
      Case c = attention({70, 3, 64}, {77, 3, 64}, {77, 3, 64}, 0.125f, type, rng);
      expect_matches(with_mask(c, {3, 70, 77}, constant, type, rng), type);
    }
  }
}

// D_v != D, and heads the fused kernel has no template for: the cuBLAS kernel in every type.
TEST(GpuAttention, OtherHeadSizesRunOnCublas) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(10);
  for (ElementType type : kTypes) {
    expect_matches(attention({2, 70, 3, 64}, {2, 77, 3, 64}, {2, 77, 3, 32}, 0.125f, type, rng),
                   type);
    expect_matches(attention({2, 70, 3, 48}, {2, 77, 3, 48}, {2, 77, 3, 48}, 0.14f, type, rng),
                   type);
  }
}

TEST(GpuAttention, OtherOpsHaveNoAttentionKernel) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  testing::expect_no_kernel_for_add(make_attention_kernel);
}

}  // namespace
}  // namespace tandem::gpu
