// Fusing Conv with its residual Add and activation: the fused node's inputs and attributes, the
// same outputs as before, and the patterns that must stay unfused.
#include "ops/nn/fused_conv.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::ModelBuilder;

// x [1,3,5,5] -> Conv (W [4,3,3,3], B [4], pads 1) -> c [1,4,5,5]; r [1,4,5,5] a second input.
ModelBuilder conv(std::mt19937& rng, int opset = 17) {
  ModelBuilder b(opset);
  b.input("x", {1, 3, 5, 5}).input("r", {1, 4, 5, 5}).output("y");
  b.initializer("w", testing::random_tensor({4, 3, 3, 3}, rng));
  b.initializer("b", testing::random_tensor({4}, rng));
  b.node("Conv", {"x", "w", "b"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  return b;
}

std::shared_ptr<ir::Model> fused(const ir::Model& model) {
  auto copy = std::make_shared<ir::Model>(model);
  copy->graph = std::make_shared<ir::Graph>(*model.graph);
  fuse_conv(*copy);
  return copy;
}

void expect_same_outputs(const ir::Model& before, const ir::Model& after, std::mt19937& rng) {
  // Wide enough that Clip's bounds and the activations' bends are crossed.
  const Tensor x = testing::random_tensor({1, 3, 5, 5}, rng, -3, 3);
  const Tensor r = testing::random_tensor({1, 4, 5, 5}, rng, -3, 3);
  const Tensor want = testing::run_reference(before, {x, r})[0].tensor();
  const Tensor got = testing::run_reference(after, {x, r})[0].tensor();
  // Within an ulp or two: Swish rounds once where Sigmoid then Mul round twice.
  testing::expect_close(got, want, 1e-6f);
}

const ir::Node& only_node(const ir::Model& model, const std::string& op) {
  const ir::Node* found = nullptr;
  for (const ir::Node& node : model.graph->nodes)
    if (node.op_type == op) {
      EXPECT_EQ(found, nullptr) << "more than one " << op;
      found = &node;
    }
  EXPECT_NE(found, nullptr) << "no " << op;
  return *found;
}

TEST(FuseConv, ConvAndActivationBecomeOneNode) {
  std::mt19937 rng(1);
  const auto before = conv(rng).node("Relu", {"c"}, {"y"}).build();
  const auto after = fused(*before);
  ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedConv"});
  const ir::Node& node = after->graph->nodes[0];
  EXPECT_EQ(node.domain, ops::kTandemDomain);
  EXPECT_EQ(after->opset(std::string(ops::kTandemDomain)), ops::kFusedConvOpset);
  EXPECT_EQ(node.inputs, (std::vector<std::string>{"x", "w", "b"}));
  EXPECT_EQ(node.outputs, std::vector<std::string>{"y"});
  EXPECT_EQ(std::get<std::string>(node.attributes.at("activation")), "Relu");
  EXPECT_EQ(std::get<std::vector<int64_t>>(node.attributes.at("pads")),
            (std::vector<int64_t>{1, 1, 1, 1}));
  expect_same_outputs(*before, *after, rng);
}

TEST(FuseConv, ResidualAddThenRelu) {
  for (bool conv_first : {true, false}) {
    SCOPED_TRACE(conv_first ? "Add(c, r)" : "Add(r, c)");
    std::mt19937 rng(2);
    const auto before = conv(rng)
                            .node("Add",
                                  conv_first ? std::vector<std::string>{"c", "r"}
                                             : std::vector<std::string>{"r", "c"},
                                  {"s"})
                            .node("Relu", {"s"}, {"y"})
                            .build();
    const auto after = fused(*before);
    ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedConv"});
    EXPECT_EQ(after->graph->nodes[0].inputs, (std::vector<std::string>{"x", "w", "b", "r"}));
    expect_same_outputs(*before, *after, rng);
  }
}

TEST(FuseConv, ResidualAddWithoutBiasOrActivation) {
  std::mt19937 rng(3);
  auto builder = ModelBuilder(17);
  builder.input("x", {1, 3, 5, 5}).input("r", {1, 4, 5, 5}).output("y");
  builder.initializer("w", testing::random_tensor({4, 3, 3, 3}, rng));
  builder.node("Conv", {"x", "w"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  const auto before = builder.node("Add", {"c", "r"}, {"y"}).build();
  const auto after = fused(*before);
  ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedConv"});
  EXPECT_EQ(after->graph->nodes[0].inputs, (std::vector<std::string>{"x", "w", "", "r"}));
  EXPECT_FALSE(after->graph->nodes[0].attributes.contains("activation"));
  expect_same_outputs(*before, *after, rng);
}

TEST(FuseConv, SiluInEitherOrder) {
  for (bool conv_first : {true, false}) {
    std::mt19937 rng(4);
    const auto before = conv(rng)
                            .node("Sigmoid", {"c"}, {"g"})
                            .node("Mul",
                                  conv_first ? std::vector<std::string>{"c", "g"}
                                             : std::vector<std::string>{"g", "c"},
                                  {"y"})
                            .build();
    const auto after = fused(*before);
    ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedConv"});
    const ir::Node& node = after->graph->nodes[0];
    EXPECT_EQ(std::get<std::string>(node.attributes.at("activation")), "Swish");
    EXPECT_EQ(std::get<float>(node.attributes.at("activation_alpha")), 1.0f);
    expect_same_outputs(*before, *after, rng);
  }
}

TEST(FuseConv, ClipBoundsFromConstantNodesAndAttributes) {
  std::mt19937 rng(5);
  {
    SCOPED_TRACE("opset 13: bounds from Constant nodes");
    const auto before = conv(rng, 13)
                            .node("Constant", {}, {"lo"}, {{"value", Tensor::scalar(0.0f)}})
                            .node("Constant", {}, {"hi"}, {{"value", Tensor::scalar(6.0f)}})
                            .node("Clip", {"c", "lo", "hi"}, {"y"})
                            .build();
    const auto after = fused(*before);
    const ir::Node& node = only_node(*after, "FusedConv");
    EXPECT_EQ(std::get<float>(node.attributes.at("activation_alpha")), 0.0f);
    EXPECT_EQ(std::get<float>(node.attributes.at("activation_beta")), 6.0f);
    expect_same_outputs(*before, *after, rng);
  }
  {
    SCOPED_TRACE("opset 6: bounds as attributes, max absent");
    const auto before = conv(rng, 6).node("Clip", {"c"}, {"y"}, {{"min", -0.5f}}).build();
    const auto after = fused(*before);
    ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedConv"});
    expect_same_outputs(*before, *after, rng);
  }
}

TEST(FuseConv, ParametrisedActivations) {
  const std::vector<std::pair<std::string, std::map<std::string, ir::Attribute>>> cases{
      {"LeakyRelu", {{"alpha", 0.2f}}},
      {"LeakyRelu", {}},
      {"Elu", {{"alpha", 0.5f}}},
      {"HardSigmoid", {{"alpha", 0.3f}, {"beta", 0.4f}}},
      {"HardSwish", {}},
      {"Tanh", {}},
      {"Sigmoid", {}}};
  for (const auto& [op, attributes] : cases) {
    SCOPED_TRACE(op);
    std::mt19937 rng(6);
    const auto before = conv(rng).node(op, {"c"}, {"y"}, attributes).build();
    const auto after = fused(*before);
    ASSERT_EQ(testing::op_types(*after), std::vector<std::string>{"FusedConv"});
    expect_same_outputs(*before, *after, rng);
  }
}

// Two convolutions meeting in an Add: one takes the Add, the other stays and feeds it.
TEST(FuseConv, TwoConvsIntoOneAdd) {
  std::mt19937 rng(7);
  auto builder = conv(rng);
  builder.initializer("w2", testing::random_tensor({4, 4, 1, 1}, rng));
  builder.node("Conv", {"r", "w2"}, {"d"});
  const auto before = builder.node("Add", {"c", "d"}, {"s"}).node("Relu", {"s"}, {"y"}).build();
  const auto after = fused(*before);
  EXPECT_EQ(testing::op_types(*after), (std::vector<std::string>{"Conv", "FusedConv"}));
  expect_same_outputs(*before, *after, rng);
}

TEST(FuseConv, LeavesValuesOthersSee) {
  std::mt19937 rng(8);
  const auto unchanged = [](const std::shared_ptr<ir::Model>& model) {
    const std::vector<std::string> before = testing::op_types(*model);
    EXPECT_EQ(testing::op_types(*fused(*model)), before);
  };
  {
    SCOPED_TRACE("the Conv's output is a graph output");
    unchanged(conv(rng).output("c").node("Relu", {"c"}, {"y"}).build());
  }
  {
    SCOPED_TRACE("the Conv's output has two readers");
    unchanged(conv(rng).output("z").node("Relu", {"c"}, {"y"}).node("Neg", {"c"}, {"z"}).build());
  }
  {
    SCOPED_TRACE("Clip's bound is a graph input");
    unchanged(conv(rng).input("hi", {}).node("Clip", {"c", "", "hi"}, {"y"}).build());
  }
  {
    SCOPED_TRACE("an Add that broadcasts");
    auto model = conv(rng).node("Add", {"c", "bias"}, {"y"}).build();
    model->graph->initializers["bias"] = testing::random_tensor({4, 1, 1}, rng);
    unchanged(model);
  }
  {
    SCOPED_TRACE("x * Sigmoid(x) whose Sigmoid is also read elsewhere");
    unchanged(
        conv(rng).output("g").node("Sigmoid", {"c"}, {"g"}).node("Mul", {"c", "g"}, {"y"}).build());
  }
}

// A value a subgraph reads by name must survive: the If branch reads c.
TEST(FuseConv, LeavesValuesSubgraphsRead) {
  std::mt19937 rng(9);
  auto branch = std::make_shared<ir::Graph>();
  branch->name = "branch";
  branch->outputs.push_back(Port{"z", ValueType{}});
  branch->nodes.push_back(ir::Node{"neg", "Neg", "", {"c"}, {"z"}, {}});
  auto model =
      conv(rng)
          .output("z")
          .initializer("cond", Tensor::scalar(true))
          .node("Relu", {"c"}, {"y"})
          .node("If", {"cond"}, {"z"},
                {{"then_branch", ir::GraphPtr(branch)}, {"else_branch", ir::GraphPtr(branch)}})
          .build();
  EXPECT_EQ(testing::op_types(*fused(*model)), (std::vector<std::string>{"Conv", "Relu", "If"}));
}

}  // namespace
}  // namespace tandem::passes
