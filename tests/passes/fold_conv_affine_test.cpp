// Folding per-channel constant arithmetic after a Conv into its weights and bias: the same
// outputs from one Conv, and every case the fold must leave alone.
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::copy_of;
using testing::ModelBuilder;

// x [1,3,6,5] -> Conv (W [4,3,3,3], pads 1, bias b) -> c; the caller adds the arithmetic.
ModelBuilder conv(std::mt19937& rng, bool bias = true) {
  ModelBuilder b;
  b.input("x", {1, 3, 6, 5});
  b.initializer("w", testing::random_tensor({4, 3, 3, 3}, rng));
  std::vector<std::string> inputs{"x", "w"};
  if (bias) {
    b.initializer("b", testing::random_tensor({4}, rng));
    inputs.push_back("b");
  }
  b.node("Conv", inputs, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  return b;
}

void expect_same_outputs(const ir::Model& before, const ir::Model& after, std::mt19937& rng) {
  const Tensor x = testing::random_tensor({1, 3, 6, 5}, rng);
  testing::expect_close(testing::run_reference(after, {x})[0].tensor(),
                        testing::run_reference(before, {x})[0].tensor(), 1e-5f);
}

TEST(FoldConvAffine, AChainOfArithmeticFoldsIntoOneConv) {
  for (bool bias : {true, false}) {
    SCOPED_TRACE(bias ? "with bias" : "without bias");
    std::mt19937 rng(3);
    // + [4,1,1], - scalar, [1,4,1,1] * (constant first), / [4,1,1], then + [1] (constant first).
    const auto before = conv(rng, bias)
                            .output("y")
                            .initializer("shift", testing::random_tensor({4, 1, 1}, rng))
                            .initializer("offset", testing::random_tensor({}, rng))
                            .initializer("scale", testing::random_tensor({1, 4, 1, 1}, rng))
                            .initializer("divisor", testing::random_tensor({4, 1, 1}, rng, 0.5f, 2.0f))
                            .initializer("last", testing::random_tensor({1}, rng))
                            .node("Add", {"c", "shift"}, {"a1"})
                            .node("Sub", {"a1", "offset"}, {"a2"})
                            .node("Mul", {"scale", "a2"}, {"a3"})
                            .node("Div", {"a3", "divisor"}, {"a4"})
                            .node("Add", {"last", "a4"}, {"y"})
                            .build();
    auto after = copy_of(*before);
    fold_conv_affine(*after);
    ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"Conv"});
    EXPECT_EQ(after->graph->nodes[0].outputs, std::vector<std::string>{"y"});
    for (const char* gone : {"b", "shift", "offset", "scale", "divisor", "last"})
      EXPECT_FALSE(after->graph->initializers.contains(gone)) << gone;
    expect_same_outputs(*before, *after, rng);
  }
}

TEST(FoldConvAffine, LeavesWhatItCannotFold) {
  std::mt19937 rng(5);
  const auto unfolded = [&](const char* why, const std::shared_ptr<ir::Model>& model, size_t nodes) {
    SCOPED_TRACE(why);
    const auto before = copy_of(*model);
    fold_conv_affine(*model);
    EXPECT_EQ(model->graph->nodes.size(), nodes);
    expect_same_outputs(*before, *model, rng);
  };
  unfolded("the constant minus the Conv",
           conv(rng).output("y").initializer("k", testing::random_tensor({4, 1, 1}, rng)).node("Sub", {"k", "c"}, {"y"}).build(), 2);
  unfolded("one value per column, not per channel",
           conv(rng).output("y").initializer("k", testing::random_tensor({5}, rng)).node("Add", {"c", "k"}, {"y"}).build(), 2);
  unfolded("the Conv's output is read twice",
           conv(rng).output("y").output("c").initializer("k", testing::random_tensor({4, 1, 1}, rng)).node("Add", {"c", "k"}, {"y"}).build(), 2);
}

TEST(FoldConvAffine, LeavesADivisionByZero) {
  std::mt19937 rng(8);
  Tensor zero = testing::random_tensor({4, 1, 1}, rng);
  zero.span<float>()[2] = 0;
  auto model = conv(rng).output("y").initializer("k", zero).node("Div", {"c", "k"}, {"y"}).build();
  fold_conv_affine(*model);
  EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Conv", "Div"}));
}

TEST(FoldConvAffine, LeavesOperandsTheCallerMayOverride) {
  std::mt19937 rng(4);
  auto model = conv(rng)
                   .input("k", {4, 1, 1})
                   .initializer("k", testing::random_tensor({4, 1, 1}, rng))
                   .output("y")
                   .node("Mul", {"c", "k"}, {"y"})
                   .build();
  fold_conv_affine(*model);
  EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Conv", "Mul"}));
}

TEST(FoldConvAffine, KeepsWeightsOthersRead) {
  std::mt19937 rng(6);
  auto model = conv(rng)
                   .output("y")
                   .output("z")
                   .initializer("k", testing::random_tensor({4, 1, 1}, rng))
                   .node("Mul", {"c", "k"}, {"y"})
                   .node("Conv", {"x", "w", "b"}, {"z"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}})
                   .build();
  const auto before = copy_of(*model);
  fold_conv_affine(*model);
  EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Conv", "Conv"}));
  EXPECT_EQ(model->graph->nodes[1].inputs, (std::vector<std::string>{"x", "w", "b"}));
  const Tensor x = testing::random_tensor({1, 3, 6, 5}, rng);
  const std::vector<Value> got = testing::run_reference(*model, {x}), want = testing::run_reference(*before, {x});
  for (size_t i = 0; i < 2; ++i) testing::expect_close(got[i].tensor(), want[i].tensor(), 1e-5f);
}

}  // namespace
}  // namespace tandem::passes
