// The oneDNN attention kernel against MultiHeadAttention's reference: BERT's and ViT's shapes,
// cross attention, head sizes around the vector width, the masks oneDNN adds as a post-op and
// those it adds in a pass of their own, in f32 and bf16.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;

// Q [B, S, H, D], K [B, L, H, D], V [B, L, H, Dv] (no B when `batch` is 0), and the mask.
struct Attention {
  int64_t batch, length, keys, heads, size, v_size;
  std::optional<Shape> mask;

  NodeCase node() const {
    const auto shape = [&](int64_t len, int64_t d) {
      return batch ? Shape{batch, len, heads, d} : Shape{len, heads, d};
    };
    NodeCase c{
        "MultiHeadAttention", 13, {shape(length, size), shape(keys, size), shape(keys, v_size)}};
    c.domain = "com.tandem";
    if (mask) c.inputs.push_back(*mask);
    c.attributes["scale"] = float(1 / std::sqrt(double(size)));
    return c;
  }
};

// Q, K and V in [-2, 2] (scores of a few units, so that the softmax is neither flat nor one-hot);
// the mask in [-4, 0], and where it differs between keys every seventh element -10000, as BERT's
// padding mask hides a key. (-10000 added to a whole row would leave f32 scores a thousandth
// apart, in the unfused graph as here, and the reference computes in double.)
std::vector<Tensor> inputs_of(const NodeCase& c, std::mt19937& rng) {
  std::vector<Tensor> inputs = testing::random_inputs(c, rng, -2, 2);
  if (inputs.size() > 3) {
    std::uniform_real_distribution<float> d(-4, 0);
    const bool per_key = inputs[3].rank() > 0 && inputs[3].shape().back() > 1;
    auto mask = inputs[3].span<float>();
    for (size_t i = 0; i < mask.size(); ++i) mask[i] = per_key && i % 7 == 3 ? -10000.0f : d(rng);
  }
  return inputs;
}

// Each output is a weighted mean of values in [-2, 2], the weights a softmax of scores whose f32
// rounding is relative: 1e-5 absolute and relative bounds the two summation orders.
void expect_matches(const Attention& a, std::mt19937& rng) {
  const NodeCase c = a.node();
  testing::expect_matches_reference(c, inputs_of(c, rng), "onednn_attention_f32", 1e-5f, 1e-5f);
}

// The bf16 hint needs AVX-512 BF16 or AMX; elsewhere compile_model refuses it.
bool cpu_has_bf16() {
  std::mt19937 rng(1);
  const NodeCase c = Attention{1, 1, 1, 1, 1, 1, std::nullopt}.node();
  try {
    testing::run_node(c.model(false), inputs_of(c, rng), "bf16");
    return true;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Unsupported) throw;
    return false;
  }
}

const std::vector<Attention> kCases = {
    {1, 128, 128, 12, 64, 64, std::nullopt},      // BERT-base
    {0, 197, 197, 12, 64, 64, std::nullopt},      // ViT-B/16, batch folded into the heads
    {2, 5, 7, 3, 17, 9, Shape{2, 1, 1, 7}},       // cross attention, padding mask
    {1, 1, 1, 1, 1, 1, std::nullopt},             // one of everything
    {1, 31, 33, 2, 16, 16, Shape{1, 1, 31, 33}},  // one mask for every batch and head
    {3, 4, 4, 5, 65, 33, Shape{3, 5, 4, 4}},      // a mask per batch and head
    {0, 9, 9, 4, 32, 32, Shape{9, 9}},            // 3-D, one mask for every head
    {2, 6, 6, 2, 8, 8, Shape{}},                  // a scalar mask
};

TEST(OnednnAttention, MatchesReference) {
  std::mt19937 rng(61);
  for (const Attention& a : kCases) expect_matches(a, rng);
}

// Masks whose broadcast oneDNN's fast matmuls cannot take as a post-op: added in a pass of their
// own.
TEST(OnednnAttention, MasksOutsideThePostOpPatterns) {
  std::mt19937 rng(67);
  expect_matches({1, 8, 8, 3, 16, 16, Shape{1, 3, 1, 8}}, rng);
  expect_matches({2, 5, 6, 2, 8, 8, Shape{1, 1, 5, 1}}, rng);
}

// bf16 rounds Q, K, V and the probabilities to 8 significant bits: the output moves by about 1%
// of its size, in no direction; the cosine with the exact output stays above 0.999.
TEST(OnednnAttention, Bf16StaysCloseToReference) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  std::mt19937 rng(71);
  for (const Attention& a : kCases) {
    const NodeCase c = a.node();
    SCOPED_TRACE(c.describe());
    const std::vector<Tensor> inputs = inputs_of(c, rng);
    const testing::NodeRun got = testing::run_node(c.model(false), inputs, "bf16");
    const testing::NodeRun want = testing::run_node(c.model(true), inputs);
    EXPECT_EQ(got.exec_type, "onednn_attention_bf16");
    auto g = got.y.span<const float>(), w = want.y.span<const float>();
    ASSERT_EQ(g.size(), w.size());
    double dot = 0, gg = 0, ww = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      dot += double(g[i]) * w[i];
      gg += double(g[i]) * g[i];
      ww += double(w[i]) * w[i];
    }
    EXPECT_GT(dot / std::sqrt(gg * ww), 0.999);
  }
}

}  // namespace
}  // namespace tandem
