// Constants the plan lets go of: weights a packing kernel holds (MatMul, Gemm) and values only
// folded nodes read go; constants a running step or a graph output reads stay. The kernels give
// held weights back exactly, and run their reference path without them.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "devices/cpu/kernels/kernels.h"
#include "execution/graph_executor.h"
#include "execution/graph_plan.h"
#include "ops/registry.h"
#include "passes/pass_test_util.h"

namespace tandem::execution {
namespace {

using passes::testing::random_tensor;

// x[4,16] -> MatMul w1 -> Gemm w2 (transB) -> MatMul w3 -> Add w3b -> y; w3b also read by an Add
// (a reference step), "c" only by an Identity that folds, "out" a constant graph output.
std::shared_ptr<ir::Model> linear_layers(std::mt19937& rng) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.name = "linear";
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape(Shape{4, 16}))});
  for (const char* name : {"y", "out"}) g.outputs.push_back(Port{name, ValueType{}});
  g.initializers["w1"] = random_tensor({16, 32}, rng);
  g.initializers["w2"] = random_tensor({24, 32}, rng);
  g.initializers["w3"] = random_tensor({24, 8}, rng);
  g.initializers["w3b"] = random_tensor({8}, rng);
  g.initializers["c"] = random_tensor({8}, rng);
  g.initializers["out"] = random_tensor({2}, rng);
  g.nodes = {
      ir::Node{"mm1", "MatMul", "", {"x", "w1"}, {"h1"}, {}},
      ir::Node{"gemm", "Gemm", "", {"h1", "w2"}, {"h2"}, {{"transB", int64_t(1)}}},
      ir::Node{"mm3", "MatMul", "", {"h2", "w3"}, {"h3"}, {}},
      ir::Node{"copy", "Identity", "", {"c"}, {"cc"}, {}},
      ir::Node{"add", "Add", "", {"h3", "w3b"}, {"h4"}, {}},
      ir::Node{"add_c", "Add", "", {"h4", "cc"}, {"y"}, {}},
  };
  return model;
}

class HeldConstants : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(5);
    model_ = linear_layers(rng);
    source_ = *model_->graph;  // the tensors, before the plan lets any go
    plan_.emplace(*model_->graph, model_->opsets, OuterScope{}, "linear", cpu::select_kernel,
                  [this](const std::string& name) { released_.insert(name); });
    x_ = random_tensor({4, 16}, rng);
  }

  const Step& step(const std::string& node) const {
    const auto& steps = plan_->steps();
    return *std::find_if(steps.begin(), steps.end(), [&](const Step& s) { return s.node->name == node; });
  }

  std::shared_ptr<ir::Model> model_;
  ir::Graph source_;
  std::optional<GraphPlan> plan_;
  std::set<std::string> released_;
  Tensor x_;
};

TEST_F(HeldConstants, WeightsPackedAndValuesFoldedGoTheRestStay) {
  EXPECT_EQ(released_, (std::set<std::string>{"w1", "w2", "w3", "c"}));
  std::set<std::string> held;
  for (const HeldConstant& h : plan_->held_constants()) held.insert(h.name);
  EXPECT_EQ(held, (std::set<std::string>{"w1", "w2", "w3"}));
  // A held weight's slot keeps its type and shape without memory; the folded-only one is gone.
  const Value& w2 = plan_->constants().at(plan_->find_slot("w2"));
  EXPECT_EQ(w2.tensor().shape(), (Shape{24, 32}));
  EXPECT_EQ(w2.tensor().data(), nullptr);
  EXPECT_FALSE(plan_->constants().contains(plan_->find_slot("c")));
  for (const char* kept : {"w3b", "out", "cc"})
    EXPECT_NE(plan_->constants().at(plan_->find_slot(kept)).tensor().data(), nullptr) << kept;
}

TEST_F(HeldConstants, KernelsGiveTheirWeightsBackExactly) {
  for (const HeldConstant& h : plan_->held_constants()) {
    const Tensor given = plan_->steps()[h.step].kernel->held_input(h.input);
    const Tensor& want = source_.initializers.at(h.name);
    ASSERT_EQ(given.shape(), want.shape()) << h.name;
    EXPECT_TRUE(std::equal(given.span<const float>().begin(), given.span<const float>().end(),
                           want.span<const float>().begin()))
        << h.name;
  }
  EXPECT_THROW(step("mm1").kernel->held_input(0), Error);
}

TEST_F(HeldConstants, RunsAsThePlanThatKeepsThem) {
  const GraphPlan keeping(source_, model_->opsets, OuterScope{}, "linear", cpu::select_kernel);
  const std::vector<Value> got = execute(*plan_, {x_}), want = execute(keeping, {x_});
  const auto g = got[0].tensor().span<const float>(), w = want[0].tensor().span<const float>();
  ASSERT_EQ(g.size(), w.size());
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(g[i], w[i]) << i;
}

TEST_F(HeldConstants, TheReferencePathGetsTheWeightsBack) {
  // An input of a shape other than planned (which the planner never lets through) runs the
  // reference, which reads the weights the kernel rebuilds in the placeholder's stead.
  std::mt19937 rng(9);
  const Tensor a = random_tensor({2, 16}, rng);
  const Step& mm1 = step("mm1");
  const Value a_value(a), placeholder = plan_->constants().at(mm1.inputs[1]);
  const std::vector<ValueType> types{ValueType::tensor(ElementType::F32, PartialShape(Shape{2, 32}))};
  ops::KernelContext ctx(*mm1.node, mm1.opset, {&a_value, &placeholder}, types, nullptr);
  mm1.kernel->run(ctx);

  const Value w1(source_.initializers.at("w1"));
  ops::KernelContext reference(*mm1.node, mm1.opset, {&a_value, &w1}, types, nullptr);
  ops::Registry::global().find("", "MatMul")->reference(reference);
  const auto g = ctx.results()[0].tensor().span<const float>(), w = reference.results()[0].tensor().span<const float>();
  ASSERT_EQ(g.size(), w.size());
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(g[i], w[i]) << i;
  EXPECT_EQ(ctx.value(1).tensor().data(), nullptr);  // the context reads the placeholder again
}

TEST(HeldConstantsInBf16, StayWithThePlanTheKernelRoundedThem) {
  std::mt19937 rng(5);
  auto model = linear_layers(rng);
  std::set<std::string> released;
  const GraphPlan plan(*model->graph, model->opsets, OuterScope{}, "linear",
                       [](const NodeInfo& info) {
                         NodeInfo bf16 = info;
                         bf16.inference_precision = ElementType::BF16;
                         return cpu::select_kernel(bf16);
                       },
                       [&](const std::string& name) { released.insert(name); });
  const Step& mm1 = plan.steps().front();
  if (mm1.kernel->name() != "onednn_matmul_bf16") GTEST_SKIP() << "this CPU has no bf16 matmul";
  EXPECT_EQ(released, (std::set<std::string>{"c"}));
  EXPECT_TRUE(plan.held_constants().empty());
}

TEST(HeldConstantsWithSubgraphs, NothingGoes) {
  // Subgraphs read constants by name, which the plan does not count: it lets nothing go.
  std::mt19937 rng(5);
  auto model = linear_layers(rng);
  auto branch = std::make_shared<ir::Graph>();
  branch->name = "then";
  branch->outputs.push_back(Port{"b", ValueType{}});
  branch->nodes.push_back(ir::Node{"neg", "Neg", "", {"w3b"}, {"b"}, {}});
  model->graph->initializers["cond"] = Tensor::scalar(true);
  model->graph->nodes.push_back(
      ir::Node{"if", "If", "", {"cond"}, {"z"}, {{"then_branch", branch}, {"else_branch", branch}}});
  model->graph->outputs.push_back(Port{"z", ValueType{}});
  std::set<std::string> released;
  const GraphPlan plan(*model->graph, model->opsets, OuterScope{}, "linear", cpu::select_kernel,
                       [&](const std::string& name) { released.insert(name); });
  EXPECT_TRUE(released.empty());
}

}  // namespace
}  // namespace tandem::execution
