// Folding BatchNormalization into the Conv before it: the same outputs from one node, and every
// case the fold must leave alone.
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::ModelBuilder;

// x [1,3,6,5] -> Conv (W [4,3,3,3], pads 1, bias optional) -> c -> BatchNormalization -> y.
ModelBuilder conv_bn(std::mt19937& rng, bool bias, int opset = 17) {
  ModelBuilder b(opset);
  b.input("x", {1, 3, 6, 5}).output("y");
  b.initializer("w", testing::random_tensor({4, 3, 3, 3}, rng));
  b.initializer("scale", testing::random_tensor({4}, rng));
  b.initializer("beta", testing::random_tensor({4}, rng));
  b.initializer("mean", testing::random_tensor({4}, rng));
  b.initializer("var", testing::random_tensor({4}, rng, 0.1f, 2.0f));
  std::vector<std::string> inputs{"x", "w"};
  if (bias) {
    b.initializer("b", testing::random_tensor({4}, rng));
    inputs.push_back("b");
  }
  b.node("Conv", inputs, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  b.node("BatchNormalization", {"c", "scale", "beta", "mean", "var"}, {"y"}, {{"epsilon", 1e-3f}});
  return b;
}

void expect_same_outputs(const ir::Model& before, const ir::Model& after, std::mt19937& rng) {
  const Tensor x = testing::random_tensor({1, 3, 6, 5}, rng);
  const Tensor want = testing::run_reference(before, {x})[0].tensor();
  const Tensor got = testing::run_reference(after, {x})[0].tensor();
  testing::expect_close(got, want, 1e-5f);
}

TEST(FoldConvBatchNorm, FoldsIntoOneConvWithTheSameOutputs) {
  for (bool bias : {true, false}) {
    SCOPED_TRACE(bias ? "with bias" : "without bias");
    std::mt19937 rng(3);
    const auto before = conv_bn(rng, bias).build();
    auto after = std::make_shared<ir::Model>(*before);
    after->graph = std::make_shared<ir::Graph>(*before->graph);
    fold_conv_batch_norm(*after);
    ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"Conv"});
    const ir::Node& conv = after->graph->nodes[0];
    EXPECT_EQ(conv.outputs, std::vector<std::string>{"y"});
    ASSERT_EQ(conv.inputs.size(), 3u);
    // The statistics and the old weights are read by nobody now.
    for (const char* gone : {"w", "b", "scale", "beta", "mean", "var"})
      EXPECT_FALSE(after->graph->initializers.contains(gone)) << gone;
    expect_same_outputs(*before, *after, rng);
  }
}

TEST(FoldConvBatchNorm, KeepsWeightsOthersRead) {
  std::mt19937 rng(5);
  auto model = conv_bn(rng, true).output("w2").node("Identity", {"w"}, {"w2"}).build();
  fold_conv_batch_norm(*model);
  EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Conv", "Identity"}));
  EXPECT_TRUE(model->graph->initializers.contains("w"));
}

TEST(FoldConvBatchNorm, LeavesWhatItCannotFold) {
  const std::vector<std::string> unfolded{"Conv", "BatchNormalization"};
  std::mt19937 rng(7);
  {
    SCOPED_TRACE("the statistics are a graph input");
    auto model = conv_bn(rng, true).input("var", {4}).build();
    fold_conv_batch_norm(*model);
    EXPECT_EQ(testing::op_types(*model), unfolded);
  }
  {
    SCOPED_TRACE("the Conv's output is a graph output");
    auto model = conv_bn(rng, true).output("c").build();
    fold_conv_batch_norm(*model);
    EXPECT_EQ(testing::op_types(*model), unfolded);
  }
  {
    SCOPED_TRACE("training mode");
    auto model = conv_bn(rng, true).build();
    model->graph->nodes[1].attributes["training_mode"] = int64_t{1};
    fold_conv_batch_norm(*model);
    EXPECT_EQ(testing::op_types(*model), unfolded);
  }
  {
    SCOPED_TRACE("opset 6 without is_test computes batch statistics");
    auto model = conv_bn(rng, true, 6).build();
    fold_conv_batch_norm(*model);
    EXPECT_EQ(testing::op_types(*model), unfolded);
  }
  {
    SCOPED_TRACE("the running statistics are read");
    auto model = conv_bn(rng, true).output("running_mean").build();
    model->graph->nodes[1].outputs = {"y", "running_mean"};
    model->graph->nodes[1].attributes["training_mode"] = int64_t{0};
    fold_conv_batch_norm(*model);
    EXPECT_EQ(testing::op_types(*model), unfolded);
  }
}

}  // namespace
}  // namespace tandem::passes
