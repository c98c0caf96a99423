// Fusing a linear layer with its activation: MatMul by constant weights, the bias Add and an
// activation (a written-out Gelu included, after fuse_gelu) become one FusedMatMul with the same
// outputs, and what is not exactly a linear layer stays as it was.
#include <cmath>
#include <numbers>

#include "ops/tandem_domain.h"
#include "passes/optimize.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::ModelBuilder;

// x [2, 3, 8] -> MatMul (W [8, 5]) -> m -> Add (bias [5], as torch writes it: bias first) -> a.
ModelBuilder linear(std::mt19937& rng, int opset = 13) {
  ModelBuilder b(opset);
  b.input("x", {2, 3, 8}).output("y");
  b.initializer("w", testing::random_tensor({8, 5}, rng));
  b.initializer("bias", testing::random_tensor({5}, rng));
  b.node("MatMul", {"x", "w"}, {"m"}).node("Add", {"bias", "m"}, {"a"});
  return b;
}

std::shared_ptr<ir::Model> fused(const ir::Model& model) {
  auto copy = std::make_shared<ir::Model>(model);
  copy->graph = std::make_shared<ir::Graph>(*model.graph);
  fuse_matmul(*copy);
  return copy;
}

void expect_same_outputs(const ir::Model& before, const ir::Model& after, std::mt19937& rng) {
  const Tensor x = testing::random_tensor({2, 3, 8}, rng, -2, 2);
  testing::expect_close(testing::run_reference(after, {x})[0].tensor(),
                        testing::run_reference(before, {x})[0].tensor(), 1e-6f);
}

TEST(FuseMatMul, MatMulAndBiasBecomeOneNode) {
  std::mt19937 rng(1);
  const auto before = linear(rng).node("Identity", {"a"}, {"y"}).build();
  const auto after = fused(*before);
  ASSERT_EQ(testing::op_types(*after), (std::vector<std::string>{"FusedMatMul", "Identity"}));
  const ir::Node& node = after->graph->nodes[0];
  EXPECT_EQ(node.domain, ops::kTandemDomain);
  EXPECT_EQ(node.name, "MatMul0");
  EXPECT_EQ(after->opset(std::string(ops::kTandemDomain)), ops::kTandemOpset);
  EXPECT_EQ(node.inputs, (std::vector<std::string>{"x", "w", "bias"}));
  EXPECT_EQ(node.outputs, std::vector<std::string>{"a"});
  EXPECT_FALSE(node.attributes.contains("activation"));
  expect_same_outputs(*before, *after, rng);
}

TEST(FuseMatMul, ActivationJoins) {
  std::mt19937 rng(2);
  const auto before = linear(rng).node("Relu", {"a"}, {"y"}).build();
  const auto after = fused(*before);
  ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedMatMul"});
  const ir::Node& node = after->graph->nodes[0];
  EXPECT_EQ(std::get<std::string>(node.attributes.at("activation")), "Relu");
  EXPECT_EQ(node.outputs, std::vector<std::string>{"y"});
  expect_same_outputs(*before, *after, rng);
}

TEST(FuseMatMul, ClipBoundsAndOnnxGelu) {
  std::mt19937 rng(3);
  {
    const auto before = linear(rng)
                            .initializer("lo", Tensor::scalar(-0.5f))
                            .initializer("hi", Tensor::scalar(0.5f))
                            .node("Clip", {"a", "lo", "hi"}, {"y"})
                            .build();
    const auto after = fused(*before);
    ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedMatMul"});
    EXPECT_EQ(std::get<float>(after->graph->nodes[0].attributes.at("activation_beta")), 0.5f);
    expect_same_outputs(*before, *after, rng);
  }
  {
    const auto before =
        linear(rng, 20).node("Gelu", {"a"}, {"y"}, {{"approximate", std::string("tanh")}}).build();
    const auto after = fused(*before);
    ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedMatMul"});
    const ir::Node& node = after->graph->nodes[0];
    EXPECT_EQ(std::get<std::string>(node.attributes.at("activation")), "Gelu");
    EXPECT_EQ(std::get<std::string>(node.attributes.at("activation_approximate")), "tanh");
    expect_same_outputs(*before, *after, rng);
  }
}

// BERT's feed-forward layer: MatMul, the bias Add, GELU written out at opset 13. The pipeline
// makes one Gelu of it, then takes that into the FusedMatMul.
TEST(FuseMatMul, WrittenOutGeluThroughThePipeline) {
  std::mt19937 rng(4);
  const auto before = linear(rng)
                          .initializer("root_two", Tensor::scalar(float(std::numbers::sqrt2)))
                          .initializer("one", Tensor::scalar(1.0f))
                          .initializer("half", Tensor::scalar(0.5f))
                          .node("Div", {"a", "root_two"}, {"s"})
                          .node("Erf", {"s"}, {"e"})
                          .node("Add", {"e", "one"}, {"p"})
                          .node("Mul", {"a", "p"}, {"ap"})
                          .node("Mul", {"ap", "half"}, {"y"})
                          .build();
  const auto after = optimize(before);
  ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedMatMul"});
  const ir::Node& node = after->graph->nodes[0];
  EXPECT_EQ(std::get<std::string>(node.attributes.at("activation")), "Gelu");
  EXPECT_EQ(std::get<std::string>(node.attributes.at("activation_approximate")), "none");
  expect_same_outputs(*before, *after, rng);
  // Every node of the model is accounted for as fused into the MatMul's.
  const auto absorbed = absorbed_nodes(*before->graph, *after->graph);
  EXPECT_EQ(absorbed.size(), before->graph->nodes.size() - 1);
  for (const auto& [name, into] : absorbed) EXPECT_EQ(into, "MatMul0") << name;
}

TEST(FuseMatMul, ActivationReadElsewhereStaysOut) {
  std::mt19937 rng(5);
  const auto before =
      linear(rng).output("a").node("Relu", {"a"}, {"y"}).build();  // a is also an output
  const auto after = fused(*before);
  EXPECT_EQ(testing::op_types(*after), (std::vector<std::string>{"FusedMatMul", "Relu"}));
  expect_same_outputs(*before, *after, rng);
}

TEST(FuseMatMul, LeavesWhatIsNotALinearLayer) {
  std::mt19937 rng(6);
  auto expect_unchanged = [](ModelBuilder b, const std::string& what) {
    SCOPED_TRACE(what);
    const auto before = b.node("Relu", {"a"}, {"y"}).build();
    EXPECT_EQ(testing::op_types(*fused(*before)), testing::op_types(*before));
  };
  auto computed_weights = linear(rng);
  computed_weights.input("w", {8, 5});
  expect_unchanged(computed_weights, "the weights are a graph input");
  expect_unchanged(linear(rng).initializer("bias", testing::random_tensor({1, 5}, rng)),
                   "a bias of two dimensions");
  expect_unchanged(linear(rng).initializer("bias", testing::random_tensor({3, 5}, rng)),
                   "a bias per row and column");
  expect_unchanged(linear(rng).initializer("w", testing::random_tensor({2, 8, 5}, rng)),
                   "batched weights");
  expect_unchanged(linear(rng).output("m"), "the product is a graph output");
}

}  // namespace
}  // namespace tandem::passes
