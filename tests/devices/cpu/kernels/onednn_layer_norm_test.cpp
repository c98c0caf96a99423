// The oneDNN layer normalisation kernel against the reference kernel: LayerNormalization over one
// and several trailing axes, Scale and B as inputs and as constants, without B, and normalised
// sizes around the vector width.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;

// The reference accumulates in double, oneDNN in f32 over at most a few thousand elements: the
// mean and variance agree to a few ulp, and so does each output of magnitude up to about 10.
constexpr float kAbsTol = 2e-5f, kRelTol = 1e-5f;

NodeCase layer_norm(std::vector<Shape> inputs, int64_t axis) {
  NodeCase c{"LayerNormalization", 17, std::move(inputs)};
  c.attributes["axis"] = axis;
  return c;
}

TEST(OnednnLayerNorm, HandPickedCasesMatchReference) {
  std::vector<NodeCase> cases = {
      // BERT's and ViT's normalisations.
      layer_norm({{1, 128, 768}, {768}, {768}}, -1),
      layer_norm({{1, 197, 768}, {768}, {768}}, 2),
      layer_norm({{3, 17}, {17}}, -1),
      layer_norm({{2, 5, 33}, {5, 33}, {5, 33}}, 1),
      layer_norm({{4, 1, 16}, {16}, {1, 16}}, -2),
      layer_norm({{7, 15}, {15}, {15}}, 1),
      layer_norm({{2, 3, 4, 5}, {2, 3, 4, 5}, {2, 3, 4, 5}}, 0),
  };
  NodeCase constants = layer_norm({{2, 3, 64}}, -1);
  Tensor scale(ElementType::F32, {64}), bias(ElementType::F32, {64});
  for (size_t i = 0; i < 64; ++i) {
    scale.span<float>()[i] = 0.5f + 0.01f * float(i);
    bias.span<float>()[i] = -0.25f + 0.005f * float(i);
  }
  constants.constants = {{"scale", scale}, {"bias", bias}};
  constants.attributes["epsilon"] = 1e-3f;
  cases.push_back(constants);
  std::mt19937 rng(97);
  for (const NodeCase& c : cases)
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, -3.0f, 3.0f),
                                      "onednn_layer_norm_f32", kAbsTol, kRelTol);
}

// A Scale or B that repeats along a normalised axis is not one value per element: the reference
// broadcasts it.
TEST(OnednnLayerNorm, DeclinesBroadcastParameters) {
  const NodeCase c = layer_norm({{2, 5, 33}, {33}, {5, 33}}, 1);
  std::mt19937 rng(101);
  EXPECT_EQ(testing::static_kernel(c, testing::random_inputs(c, rng, -3.0f, 3.0f)), "reference");
}

// tandem's LayerNormalization, which the graph passes make of a written-out one in models of
// opsets before 17.
TEST(OnednnLayerNorm, TandemDomainMatchesReference) {
  NodeCase c = layer_norm({{1, 128, 768}, {768}, {768}}, -1);
  c.opset = 13;
  c.domain = "com.tandem";
  c.attributes["epsilon"] = 1e-12f;
  std::mt19937 rng(107);
  testing::expect_matches_reference(c, testing::random_inputs(c, rng, -3.0f, 3.0f),
                                    "onednn_layer_norm_f32", kAbsTol, kRelTol);
}

TEST(OnednnLayerNorm, RandomShapesMatchReference) {
  std::mt19937 rng(103);
  for (int i = 0; i < 40; ++i) {
    Shape x;
    const auto rank = std::uniform_int_distribution<int64_t>(1, 4)(rng);
    for (int64_t d = 0; d < rank; ++d)
      x.push_back(std::uniform_int_distribution<int64_t>(1, 40)(rng));
    const int64_t axis = std::uniform_int_distribution<int64_t>(0, rank - 1)(rng);
    const Shape normalized(x.begin() + axis, x.end());
    std::vector<Shape> inputs = {x, normalized};
    if (i % 2 == 0) inputs.push_back(normalized);
    const NodeCase c = layer_norm(inputs, axis - (i % 3 == 0 ? rank : 0));
    testing::expect_matches_reference(c, testing::random_inputs(c, rng, -3.0f, 3.0f),
                                      "onednn_layer_norm_f32", kAbsTol, kRelTol);
  }
}

}  // namespace
}  // namespace tandem
