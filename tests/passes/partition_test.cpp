// Placement and partitioning with a test device that runs only some ops.
#include <gtest/gtest.h>

#include <set>

#include "ops/op_case.h"
#include "passes/partition.h"
#include "passes/placement.h"

namespace tandem::passes {
namespace {

// Runs the ops it is given; a no names the op.
class PickyDevice : public devices::Device {
 public:
  explicit PickyDevice(std::set<std::string> ops) : ops_(std::move(ops)) {}
  devices::DeviceInfo info() const override { return {.name = "PICKY"}; }
  devices::Diagnosis diagnose() const override { return devices::Diagnosis("PICKY"); }
  devices::Support supports(const execution::NodeInfo& node) const override {
    if (ops_.contains(node.node.op_type)) return {true, {}};
    return {false, "PICKY has no " + node.node.op_type + " kernel"};
  }
  std::unique_ptr<devices::Executable> compile(std::shared_ptr<const ir::Model>,
                                               const devices::CompileOptions&) const override {
    return nullptr;
  }
  Value copy_to_device(const Value& host) const override { return host; }
  Value copy_to_host(const Value& on_device, const ValueType&) const override { return on_device; }

 private:
  std::set<std::string> ops_;
};

class AnyDevice : public PickyDevice {
 public:
  AnyDevice() : PickyDevice({}) {}
  devices::Support supports(const execution::NodeInfo&) const override { return {true, {}}; }
};

// x -> Relu -> a -> Neg -> b -> Relu -> c -> Add(c, a) -> y, with w a constant read by Add's twin.
std::shared_ptr<ir::Model> chain_model() {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  const auto f32 = ValueType::tensor(ElementType::F32, PartialShape({2}));
  g.inputs.push_back(Port{"x", f32});
  g.outputs.push_back(Port{"y", f32});
  g.initializers.emplace("w", Tensor::from<float>({1, 2}, {2}));
  g.nodes.push_back(ir::Node{"r1", "Relu", "", {"x"}, {"a"}, {}});
  g.nodes.push_back(ir::Node{"n1", "Neg", "", {"a"}, {"b"}, {}});
  g.nodes.push_back(ir::Node{"r2", "Relu", "", {"b"}, {"c"}, {}});
  g.nodes.push_back(ir::Node{"add", "Add", "", {"c", "a"}, {"d"}, {}});
  g.nodes.push_back(ir::Node{"mul", "Mul", "", {"d", "w"}, {"y"}, {}});
  return model;
}

TEST(Placement, FirstDeviceThatSupportsANodeWinsAndRefusalsAreExplained) {
  auto model = chain_model();
  execution::GraphPlan plan(*model->graph, model->opsets, {}, "test");
  PickyDevice picky({"Relu", "Add", "Mul"});
  AnyDevice cpu;
  std::vector<NodePlacement> placed = place(plan, {&picky, &cpu});
  ASSERT_EQ(placed.size(), 5u);
  std::vector<int> devices;
  for (const NodePlacement& p : placed) devices.push_back(p.device);
  EXPECT_EQ(devices, (std::vector<int>{0, 1, 0, 0, 0}));
  EXPECT_EQ(placed[1].reason, "PICKY has no Neg kernel");
  EXPECT_TRUE(placed[0].reason.empty());
}

TEST(Placement, ANodeNoDeviceRunsIsUnsupportedNamingIt) {
  auto model = chain_model();
  execution::GraphPlan plan(*model->graph, model->opsets, {}, "test");
  PickyDevice picky({"Relu", "Add", "Mul"});
  EXPECT_THROW_KIND(place(plan, {&picky}), ErrorKind::Unsupported,
                    "no device can run 1 node(s): node 'n1' (Neg, opset 17) (PICKY has no Neg kernel)");
}

TEST(Partition, RunsOfOneDeviceBecomeStagesWithExplicitBoundaries) {
  auto model = chain_model();
  execution::GraphPlan plan(*model->graph, model->opsets, {}, "test");
  PickyDevice picky({"Relu", "Add", "Mul"});
  AnyDevice cpu;
  std::vector<Stage> stages = partition(*model, plan, place(plan, {&picky, &cpu}));
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_EQ(stages[0].device, 0);
  EXPECT_EQ(stages[0].inputs, (std::vector<std::string>{"x"}));
  // 'a' is read by the CPU's Neg and, later, by Add on PICKY again.
  EXPECT_EQ(stages[0].outputs, (std::vector<std::string>{"a"}));
  EXPECT_EQ(stages[1].device, 1);
  EXPECT_EQ(stages[1].inputs, (std::vector<std::string>{"a"}));
  EXPECT_EQ(stages[1].outputs, (std::vector<std::string>{"b"}));
  EXPECT_EQ(stages[2].device, 0);
  EXPECT_EQ(stages[2].inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(stages[2].outputs, (std::vector<std::string>{"y"}));
  EXPECT_EQ(stages[2].model->graph->nodes.size(), 3u);
  // The constant travels with the stage that reads it, as an initializer, not as an input.
  EXPECT_TRUE(stages[2].model->graph->initializers.contains("w"));
  EXPECT_EQ(stages[2].model->graph->value_types.at("c").shape, PartialShape({2}));
}

TEST(Partition, SubgraphReadsCountAsInputs) {
  auto body = std::make_shared<ir::Graph>();
  body->outputs.push_back(Port{"out", ValueType::tensor(ElementType::F32, PartialShape({2}))});
  body->nodes.push_back(ir::Node{"inner", "Neg", "", {"outer"}, {"out"}, {}});
  ir::Node node{"if", "If", "", {"cond"}, {"y"}, {}};
  node.attributes["then_branch"] = body;
  node.attributes["else_branch"] = body;
  EXPECT_EQ(reads_of(node), (std::vector<std::string>{"cond", "outer"}));
}

}  // namespace
}  // namespace tandem::passes
