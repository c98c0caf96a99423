// The public request API: binding checks, clear errors, and a request that stays usable after them.
#include <gtest/gtest.h>

#include "ir/graph.h"
#include "ops/op_case.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

// y = Identity(x) with x: f32[2,3], or a node of another op if asked.
Model one_node_model(const std::string& op = "Identity", const std::string& input = "x",
                     const std::string& domain = "", int opset = 13) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = opset;
  if (!domain.empty()) model->opsets[domain] = 1;
  model->path = "test.onnx";
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({2, 3}))});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({2, 3}))});
  g.nodes.push_back(ir::Node{"n0", op, domain, {input}, {"y"}, {}});
  return Model(model);
}

TEST(InferRequest, RunsAndReturnsOutputs) {
  InferRequest request = Core().compile_model(one_node_model()).create_infer_request();
  Tensor x = Tensor::from<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  request.set_tensor("x", x);
  request.infer();
  testing::expect_tensor<float>(request.get_tensor("y"), {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(InferRequest, StaticInputsArePreallocated) {
  InferRequest request = Core().compile_model(one_node_model()).create_infer_request();
  Tensor x = request.get_tensor("x");
  EXPECT_EQ(x.shape(), (Shape{2, 3}));
  x.data<float>()[0] = 7;
  request.infer();
  EXPECT_EQ(request.get_tensor("y").data<float>()[0], 7);
}

TEST(InferRequest, WrongNameTypeOrShapeIsAClearErrorAndTheRequestStaysUsable) {
  InferRequest request = Core().compile_model(one_node_model()).create_infer_request();
  Tensor good = Tensor::from<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_THROW_KIND(request.set_tensor("images", good), ErrorKind::InvalidArgument,
                    "the model has no input 'images'; its inputs are 'x'");
  EXPECT_THROW_KIND(request.set_tensor("x", Tensor(ElementType::I64, {2, 3})), ErrorKind::InvalidArgument,
                    "set_tensor: input 'x' expects f32[2,3], got i64[2,3]");
  EXPECT_THROW_KIND(request.set_tensor("x", Tensor(ElementType::F32, {3, 2})), ErrorKind::InvalidArgument,
                    "expects f32[2,3], got f32[3,2]");
  EXPECT_THROW_KIND(request.get_tensor("z"), ErrorKind::InvalidArgument, "no input or output 'z'");
  request.set_tensor("x", good);
  request.infer();
  testing::expect_tensor<float>(request.get_tensor("y"), {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(CompileModel, ValueNobodyProducesIsInvalidModel) {
  EXPECT_THROW_KIND(Core().compile_model(one_node_model("Identity", "ghost")), ErrorKind::InvalidModel,
                    "test.onnx: node 'n0' (Identity, opset 13) reads value 'ghost', which no node, graph "
                    "input or initializer produces");
}

TEST(CompileModel, UnknownOpNamesNodeOpDomainAndOpset) {
  EXPECT_THROW_KIND(Core().compile_model(one_node_model("FancyOp", "x", "com.example")), ErrorKind::Unsupported,
                    "node 'n0' (com.example.FancyOp, opset 1): op FancyOp of domain 'com.example' is not "
                    "supported by tandem");
}

TEST(CompileModel, OpsetNewerThanTandemKnowsIsUnsupported) {
  EXPECT_THROW_KIND(Core().compile_model(one_node_model("Identity", "x", "", 99)), ErrorKind::Unsupported,
                    "test.onnx: the model imports opset 99 of domain 'ai.onnx'; tandem supports opsets 1 to");
}

TEST(CompileModel, OpOlderThanItsFirstVersionIsInvalidModel) {
  EXPECT_THROW_KIND(Core().compile_model(one_node_model("NonZero", "x", "", 8)), ErrorKind::InvalidModel,
                    "node 'n0' (NonZero, opset 8): NonZero does not exist in opset 8 of domain 'ai.onnx'");
}

TEST(CompileModel, AbsentDeviceIsDeviceUnavailableWithItsDiagnosis) {
  EXPECT_THROW_KIND(Core().compile_model(one_node_model(), "NPU"), ErrorKind::DeviceUnavailable,
                    "NPU: unavailable: ");
}

TEST(CompileModel, UnknownDeviceIsInvalidArgumentNamingTheKnownOnes) {
  EXPECT_THROW_KIND(Core().compile_model(one_node_model(), "TPU"), ErrorKind::InvalidArgument,
                    "compile_model: 'TPU' names no device 'TPU'; tandem knows ");
  EXPECT_THROW_KIND(Core().compile_model(one_node_model(), "HETERO:"), ErrorKind::InvalidArgument,
                    "lists no device; write e.g. HETERO:VNPU,CPU");
}

TEST(CompileModel, AutoPicksAPresentDeviceAndSaysWhy) {
  CompiledModel compiled = Core().compile_model(one_node_model(), "AUTO");
  const Placement& placement = compiled.placement();
  EXPECT_EQ(placement.devices, std::vector<std::string>{"CPU"});
  EXPECT_NE(placement.note.find("AUTO chose CPU (NPU, GPU absent"), std::string::npos) << placement.note;
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", Tensor::from<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  request.infer();
  testing::expect_tensor<float>(request.get_tensor("y"), {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(CompileModel, CpuPlacementAccountsForEveryNode) {
  CompiledModel compiled = Core().compile_model(one_node_model("Relu"));
  const Placement& placement = compiled.placement();
  ASSERT_EQ(placement.nodes.size(), 1u);
  EXPECT_EQ(placement.nodes[0].device, "CPU");
  EXPECT_EQ(placement.summary(), "1 node on CPU in 1 subgraph; no transfers");
  EXPECT_NE(placement.to_dot().find("n0 [label=\"Relu\\nn0\", fillcolor="), std::string::npos) << placement.to_dot();
  EXPECT_EQ(Core().query_model(one_node_model("Relu"), "CPU"), (std::map<std::string, std::string>{{"n0", "CPU"}}));
}

}  // namespace
}  // namespace tandem
