// The oneDNN matmul kernel on tandem's FusedMatMul against its reference kernel: constant weights
// and bias, every activation oneDNN takes as a post-op, shapes around the tile edges, in f32 and
// bf16; and the nodes it leaves to the reference.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;

Tensor random_tensor(const Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor t(ElementType::F32, shape);
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

// activation(A [.., k] · B [k, n] + bias [n]); `activation` "" for none, with its attributes.
NodeCase fused_matmul(const Shape& a, int64_t n, std::mt19937& rng, bool bias = true,
                      const std::string& activation = "",
                      std::map<std::string, ir::Attribute> parameters = {}) {
  NodeCase c{"FusedMatMul", 13, {a}};
  c.domain = "com.tandem";
  c.constants.emplace_back("b", random_tensor({a.back(), n}, rng));
  if (bias) c.constants.emplace_back("bias", random_tensor({n}, rng));
  if (!activation.empty()) c.attributes["activation"] = activation;
  for (auto& [name, value] : parameters) c.attributes[name] = std::move(value);
  return c;
}

// Each output is a dot product of k terms in [-1, 1] plus a bias, rounded at every step: 1e-6·k
// bounds the difference between two summation orders, and every activation here changes a
// difference by at most its slope (below 1.2). oneDNN's transcendental functions are a few ulp
// off the reference's double ones: the relative term.
float tolerance(int64_t k) { return 1e-6f * float(k + 1); }
constexpr float kRelTol = 1e-5f;

// bf16 rounds A and B to 8 significant bits: for k products the rounding errors grow as sqrt(k)
// (see onednn_matmul_test.cpp), 2^-7·sqrt(k) is more than 7 standard deviations of them.
float bf16_tolerance(int64_t k) { return 0x1p-7f * std::sqrt(float(k)) + tolerance(k); }

// The bf16 hint needs AVX-512 BF16 or AMX; elsewhere compile_model refuses it.
bool cpu_has_bf16() {
  std::mt19937 rng(1);
  const NodeCase c = fused_matmul({1, 1}, 1, rng);
  try {
    testing::run_node(c.model(false), {random_tensor({1, 1}, rng)}, "bf16");
    return true;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Unsupported) throw;
    return false;
  }
}

void expect_matches(const NodeCase& c, std::mt19937& rng, const std::string& precision = "f32") {
  const int64_t k = c.inputs[0].back();
  testing::expect_matches_reference(
      c, {random_tensor(c.inputs[0], rng)},
      precision == "bf16" ? "onednn_matmul_bf16" : "onednn_matmul_f32",
      precision == "bf16" ? bf16_tolerance(k) : tolerance(k), kRelTol, precision);
}

TEST(OnednnFusedMatMul, BiasAroundTileEdges) {
  std::mt19937 rng(41);
  for (int64_t m : {1, 5, 33})
    for (int64_t k : {1, 16, 17, 65})
      for (int64_t n : {1, 7, 16, 65}) expect_matches(fused_matmul({m, k}, n, rng), rng);
}

// BERT's and ViT's linear layers: A [1, tokens, 768] folds into rows.
TEST(OnednnFusedMatMul, BatchedAFoldsIntoRows) {
  std::mt19937 rng(43);
  expect_matches(fused_matmul({1, 128, 64}, 96, rng, true, "Gelu"), rng);
  expect_matches(fused_matmul({2, 3, 17}, 33, rng, true, "Relu"), rng);
  expect_matches(fused_matmul({2, 1, 7, 16}, 17, rng, false, "Tanh"), rng);
}

TEST(OnednnFusedMatMul, EveryActivationAsPostOp) {
  const std::vector<std::pair<std::string, std::map<std::string, ir::Attribute>>> activations = {
      {"Relu", {}},
      {"LeakyRelu", {{"activation_alpha", 0.1f}}},
      {"Clip", {{"activation_alpha", -0.5f}, {"activation_beta", 0.5f}}},
      {"Sigmoid", {}},
      {"HardSigmoid", {{"activation_alpha", 0.2f}, {"activation_beta", 0.5f}}},
      {"HardSwish", {}},
      {"Swish", {{"activation_alpha", 1.0f}}},
      {"Tanh", {}},
      {"Elu", {{"activation_alpha", 0.5f}}},
      {"Gelu", {}},
      {"Gelu", {{"activation_approximate", std::string("tanh")}}},
  };
  std::mt19937 rng(47);
  for (const auto& [activation, parameters] : activations)
    for (bool bias : {true, false}) {
      // Products up to about 3 in size: every activation's bends are crossed.
      expect_matches(fused_matmul({9, 17}, 23, rng, bias, activation, parameters), rng);
      expect_matches(fused_matmul({3, 4, 64}, 16, rng, bias, activation, parameters), rng);
    }
}

TEST(OnednnFusedMatMul, Bf16KeepsBiasAndActivation) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  std::mt19937 rng(53);
  for (const char* activation : {"", "Relu", "Gelu"}) {
    expect_matches(fused_matmul({1, 128, 64}, 96, rng, true, activation), rng, "bf16");
    expect_matches(fused_matmul({5, 17}, 7, rng, true, activation), rng, "bf16");
  }
}

// FusedMatMul is made for constant weights; with B computed, the reference runs.
TEST(OnednnFusedMatMul, ComputedWeightsGoToReference) {
  std::mt19937 rng(59);
  NodeCase c{"FusedMatMul", 13, {{4, 8}, {8, 5}}};
  c.domain = "com.tandem";
  c.constants.emplace_back("bias", random_tensor({5}, rng));
  c.attributes["activation"] = std::string("Relu");
  EXPECT_EQ(testing::static_kernel(c, {random_tensor({4, 8}, rng), random_tensor({8, 5}, rng)}),
            "reference");
}

}  // namespace
}  // namespace tandem
