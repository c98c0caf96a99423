// The placement report and the profile account for every node of the model as read, including
// those the graph passes fused into others.
#include <gtest/gtest.h>

#include "ir/graph.h"
#include "ops/op_case.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

// y = Relu(Conv(x, w)): the fusion pass makes one FusedConv named 'conv' of the two.
Model conv_relu_model() {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({1, 2, 4, 4}))});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({1, 3, 4, 4}))});
  g.initializers.emplace("w", Tensor::from<float>(std::vector<float>(3 * 2, 0.5f), {3, 2, 1, 1}));
  g.nodes.push_back(ir::Node{"conv", "Conv", "", {"x", "w"}, {"c"}, {}});
  g.nodes.push_back(ir::Node{"relu", "Relu", "", {"c"}, {"y"}, {}});
  return Model(model);
}

TEST(PlacementReport, FusedNodesAreReportedWithTheNodeThatTookThemIn) {
  CompiledModel compiled = Core().compile_model(conv_relu_model(), "CPU", {{"ENABLE_PROFILING", "YES"}});
  const Placement& placement = compiled.placement();
  ASSERT_EQ(placement.nodes.size(), 2u);
  EXPECT_EQ(placement.nodes[0].op, "FusedConv");
  EXPECT_EQ(placement.nodes[1].name, "relu");
  EXPECT_EQ(placement.nodes[1].fused_into, "conv");
  EXPECT_EQ(placement.nodes[1].device, "CPU");
  EXPECT_EQ(placement.summary(), "1 node on CPU in 1 subgraph (1 fused into others); no transfers");

  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", Tensor::from<float>(std::vector<float>(32, -1.0f), {1, 2, 4, 4}));
  request.infer();
  std::map<std::string, std::string> status;
  for (const ProfilingInfo& p : request.profiling_info()) status[p.node_name] = p.status;
  EXPECT_EQ(status, (std::map<std::string, std::string>{{"conv", "executed"}, {"relu", "fused into conv"}}));
  testing::expect_tensor<float>(request.get_tensor("y"), {1, 3, 4, 4}, std::vector<float>(48, 0.0f));
}

TEST(PlacementReport, FoldedNodesAreOptimisedOutInTheProfile) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({2}))});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({2}))});
  g.initializers.emplace("a", Tensor::from<float>({1, 2}, {2}));
  g.nodes.push_back(ir::Node{"neg", "Neg", "", {"a"}, {"b"}, {}});
  g.nodes.push_back(ir::Node{"add", "Add", "", {"x", "b"}, {"y"}, {}});
  CompiledModel compiled = Core().compile_model(Model(model), "VNPU", {{"ENABLE_PROFILING", "YES"}});
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", Tensor::from<float>({1, 1}, {2}));
  request.infer();
  std::map<std::string, std::string> status;
  for (const ProfilingInfo& p : request.profiling_info())
    if (p.node_type != "Transfer") status[p.node_name] = p.status;
  EXPECT_EQ(status, (std::map<std::string, std::string>{{"add", "executed"}, {"neg", "optimised out"}}));
}

}  // namespace
}  // namespace tandem
