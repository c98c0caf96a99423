// The static executor against the general one on the same plan (the CPU's oneDNN kernels): equal
// outputs; values that never meet share the arena; outputs the caller keeps survive later runs;
// a view of an arena value that is a graph output, and reference kernels reading arena values; a
// residual that the convolution adding it reads for the last time shares that convolution's output.
#include "execution/static_executor.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/layout_assignment.h"
#include "execution/graph_executor.h"
#include "execution/graph_plan.h"
#include "ops/nn/fused_conv.h"
#include "ops/op_case.h"
#include "passes/pass_test_util.h"

namespace tandem::execution {
namespace {

using Ints = std::vector<int64_t>;

using passes::testing::random_tensor;

// x -> conv a -> relu -> conv b -> conv c (+ a, residual) -> transpose (a reference kernel) ->
// flatten (a view) -> outputs "flat" and "c" (c also read by the transpose).
std::shared_ptr<ir::Model> chain(std::mt19937& rng) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.name = "chain";
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape(Shape{1, 8, 12, 12}))});
  for (const char* name : {"flat", "c", "t"}) g.outputs.push_back(Port{name, ValueType{}});
  for (const char* w : {"wa", "wb", "wc", "wd"}) g.initializers[w] = random_tensor({16, w[1] == 'a' ? 8 : 16, 3, 3}, rng);
  const std::map<std::string, ir::Attribute> same{{"pads", Ints{1, 1, 1, 1}}};
  g.nodes = {
      ir::Node{"conv_a", "Conv", "", {"x", "wa"}, {"a"}, same},
      ir::Node{"relu", "Relu", "", {"a"}, {"r"}, {}},
      ir::Node{"conv_b", "Conv", "", {"r", "wb"}, {"b"}, same},
      ir::Node{"conv_c", "Conv", "", {"b", "wc"}, {"cc"}, same},
      ir::Node{"add", "Add", "", {"cc", "a"}, {"c"}, {}},
      ir::Node{"transpose", "Transpose", "", {"c"}, {"ct"}, {{"perm", Ints{0, 2, 3, 1}}}},
      ir::Node{"conv_d", "Conv", "", {"c", "wd"}, {"d"}, same},
      ir::Node{"relu_d", "Relu", "", {"d"}, {"rd"}, {}},
      ir::Node{"flatten", "Flatten", "", {"rd"}, {"flat"}, {}},
      ir::Node{"neg", "Neg", "", {"ct"}, {"t"}, {}},
  };
  return model;
}

void expect_equal(const Value& got, const Value& want, const char* what) {
  ASSERT_TRUE(got.is_tensor()) << what;
  const Tensor &g = got.tensor(), &w = want.tensor();
  ASSERT_EQ(g.shape(), w.shape()) << what;
  auto gs = g.span<const float>(), ws = w.span<const float>();
  for (size_t i = 0; i < ws.size(); ++i) ASSERT_FLOAT_EQ(gs[i], ws[i]) << what << " at " << i;
}

class StaticExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(17);
    model_ = chain(rng);
    plan_.emplace(*model_->graph, model_->opsets, OuterScope{}, "chain", cpu::select_kernel);
    executor_ = StaticExecutor::create(*plan_);
    ASSERT_NE(executor_, nullptr);
    for (int i = 0; i < 3; ++i) inputs_.push_back(random_tensor({1, 8, 12, 12}, rng));
  }

  std::vector<Value> run_static(const Tensor& x) const {
    std::vector<Value> inputs{x}, outputs;
    EXPECT_TRUE(executor_->run(inputs, outputs, nullptr));
    return outputs;
  }
  std::vector<Value> run_general(const Tensor& x) const { return execute(*plan_, {x}); }

  std::shared_ptr<ir::Model> model_;
  std::optional<GraphPlan> plan_;
  std::unique_ptr<StaticExecutor> executor_;
  std::vector<Tensor> inputs_;
};

TEST_F(StaticExecutorTest, GivesTheGeneralExecutorsOutputs) {
  const std::vector<Value> want = run_general(inputs_[0]), got = run_static(inputs_[0]);
  ASSERT_EQ(got.size(), 3u);
  expect_equal(got[0], want[0], "flat");
  expect_equal(got[1], want[1], "c");
  expect_equal(got[2], want[2], "t");
}

TEST(StaticExecutor, ValuesThatNeverMeetShareTheArena) {
  // x -> conv 0 -> conv 1 -> ... -> conv 5 -> y: each value is read by the next conv only, so the
  // five in the arena (y is the caller's) need two buffers of 9216 bytes.
  std::mt19937 rng(3);
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape(Shape{1, 16, 12, 12}))});
  g.outputs.push_back(Port{"v5", ValueType{}});
  for (int i = 0; i < 6; ++i) {
    const std::string w = "w" + std::to_string(i), in = i == 0 ? "x" : "v" + std::to_string(i - 1);
    g.initializers[w] = random_tensor({16, 16, 3, 3}, rng);
    g.nodes.push_back(ir::Node{"conv" + std::to_string(i), "Conv", "", {in, w}, {"v" + std::to_string(i)},
                               {{"pads", Ints{1, 1, 1, 1}}}});
  }
  const GraphPlan plan(g, model->opsets, OuterScope{}, "convs", cpu::select_kernel);
  const auto executor = StaticExecutor::create(plan);
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(executor->arena_values(), 5u);
  EXPECT_EQ(executor->arena_bytes(), 2 * 16 * 12 * 12 * sizeof(float));
  const Tensor x = random_tensor({1, 16, 12, 12}, rng);
  std::vector<Value> inputs{x}, outputs;
  ASSERT_TRUE(executor->run(inputs, outputs, nullptr));
  expect_equal(outputs[0], execute(plan, {x})[0], "y");
}

TEST_F(StaticExecutorTest, OutputsTheCallerKeepsSurviveLaterRuns) {
  std::vector<std::vector<Value>> kept, want;
  for (const Tensor& x : inputs_) {
    kept.push_back(run_static(x));  // three runs' outputs held at once: one buffer each
    want.push_back(run_general(x));
  }
  for (size_t r = 0; r < inputs_.size(); ++r)
    for (size_t o = 0; o < 3; ++o) expect_equal(kept[r][o], want[r][o], "a kept output");
  // Let go of all but the last: the next runs reuse buffers and still answer right.
  kept.erase(kept.begin(), kept.end() - 1);
  for (int round = 0; round < 3; ++round) {
    const std::vector<Value> got = run_static(inputs_[round % 3]);
    for (size_t o = 0; o < 3; ++o) expect_equal(got[o], want[round % 3][o], "a reused buffer");
  }
  for (size_t o = 0; o < 3; ++o) expect_equal(kept[0][o], want[2][o], "the last kept output");
}

TEST_F(StaticExecutorTest, DeclinesInputsOfAnotherShape) {
  std::mt19937 rng(1);
  std::vector<Value> inputs{random_tensor({1, 8, 10, 10}, rng)}, outputs;
  EXPECT_FALSE(executor_->run(inputs, outputs, nullptr));
  EXPECT_TRUE(inputs[0].is_tensor());  // untouched, for the general executor
}

// A run that fails part way (a reference kernel refusing its input) leaves the next run right:
// the thread's arena and contexts are rebuilt.
TEST(StaticExecutor, ARunThatFailsLeavesTheNextRunRight) {
  std::mt19937 rng(4);
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape(Shape{1, 16, 12, 12}))});
  g.inputs.push_back(Port{"i", ValueType::tensor(ElementType::I64, PartialShape(Shape{2}))});
  g.outputs.push_back(Port{"y", ValueType{}});
  g.outputs.push_back(Port{"rows", ValueType{}});
  g.initializers["w"] = random_tensor({16, 16, 3, 3}, rng);
  g.initializers["table"] = random_tensor({5, 3}, rng);
  g.nodes = {
      ir::Node{"conv_a", "Conv", "", {"x", "w"}, {"a"}, {{"pads", Ints{1, 1, 1, 1}}}},
      ir::Node{"gather", "Gather", "", {"table", "i"}, {"rows"}, {}},
      ir::Node{"conv_b", "Conv", "", {"a", "w"}, {"y"}, {{"pads", Ints{1, 1, 1, 1}}}},
  };
  const GraphPlan plan(g, model->opsets, OuterScope{}, "failing", cpu::select_kernel);
  const auto executor = StaticExecutor::create(plan);
  ASSERT_NE(executor, nullptr);
  const Tensor x = random_tensor({1, 16, 12, 12}, rng);
  const std::vector<Value> want = execute(plan, {x, Tensor::from<int64_t>({4, 0})});
  std::vector<Value> bad{x, Tensor::from<int64_t>({7, 0})}, outputs;
  EXPECT_THROW_KIND(executor->run(bad, outputs, nullptr), ErrorKind::InvalidArgument, "node 'gather'");
  for (int i = 0; i < 2; ++i) {
    std::vector<Value> good{x, Tensor::from<int64_t>({4, 0})};
    ASSERT_TRUE(executor->run(good, outputs, nullptr));
    expect_equal(outputs[0], want[0], "y");
    EXPECT_EQ(outputs[1].tensor().span<const float>()[0], want[1].tensor().span<const float>()[0]);
  }
}

// x -> conv a -> conv b -> c = conv(b) + a -> conv d -> y, with `also_read_after` a read by conv d
// too (then c may not write over a). The CPU device's kernels with their layouts assigned, as the
// device compiles them: the values pass in oneDNN's layout of 16-channel blocks, as large as plain.
struct ResidualPlan {
  std::shared_ptr<ir::Model> model;
  std::optional<GraphPlan> plan;
  std::unique_ptr<StaticExecutor> executor;
};

ResidualPlan residual_plan(bool also_read_after, std::mt19937& rng) {
  ResidualPlan r;
  r.model = std::make_shared<ir::Model>();
  r.model->graph = std::make_shared<ir::Graph>();
  r.model->opsets[""] = 17;
  r.model->opsets[std::string(ops::kTandemDomain)] = ops::kFusedConvOpset;
  ir::Graph& g = *r.model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape(Shape{1, 16, 12, 12}))});
  g.outputs.push_back(Port{"y", ValueType{}});
  for (const char* w : {"wa", "wb", "wc", "wd"}) g.initializers[w] = random_tensor({16, 16, 3, 3}, rng);
  const std::map<std::string, ir::Attribute> same{{"pads", Ints{1, 1, 1, 1}}};
  g.nodes = {
      ir::Node{"conv_a", "Conv", "", {"x", "wa"}, {"a"}, same},
      ir::Node{"conv_b", "Conv", "", {"a", "wb"}, {"b"}, same},
      ir::Node{"conv_c", "FusedConv", std::string(ops::kTandemDomain), {"b", "wc", "", "a"}, {"c"}, same},
      ir::Node{"conv_d", "FusedConv", std::string(ops::kTandemDomain),
               {"c", "wd", "", also_read_after ? "a" : ""}, {"y"}, same},
  };
  cpu::LayoutKernels layout_kernels;
  r.plan.emplace(g, r.model->opsets, OuterScope{}, "residual", [&](const NodeInfo& info) {
    std::unique_ptr<Kernel> kernel = cpu::select_kernel(info);
    if (auto* layout = dynamic_cast<cpu::LayoutKernel*>(kernel.get())) layout_kernels.emplace(&info.node, layout);
    return kernel;
  });
  cpu::assign_layouts(*r.plan, layout_kernels);
  r.executor = StaticExecutor::create(*r.plan);
  return r;
}

// Runs twice on the static executor, each run against the general one.
void expect_runs_right(const ResidualPlan& r, std::mt19937& rng) {
  for (int round = 0; round < 2; ++round) {
    const Tensor x = random_tensor({1, 16, 12, 12}, rng);
    std::vector<Value> inputs{x}, outputs;
    ASSERT_TRUE(r.executor->run(inputs, outputs, nullptr));
    expect_equal(outputs[0], execute(*r.plan, {x})[0], "y");
  }
}

constexpr size_t kResidualValueBytes = 16 * 12 * 12 * sizeof(float);

TEST(StaticExecutor, AResidualReadForTheLastTimeIsWrittenOverInPlace) {
  std::mt19937 rng(5);
  const ResidualPlan r = residual_plan(false, rng);
  ASSERT_NE(r.executor, nullptr);
  // a and c share a block; b is alive with them.
  EXPECT_EQ(r.executor->arena_values(), 3u);
  EXPECT_EQ(r.executor->arena_bytes(), 2 * kResidualValueBytes);
  expect_runs_right(r, rng);
}

TEST(StaticExecutor, AResidualReadLaterKeepsItsOwnBytes) {
  std::mt19937 rng(6);
  const ResidualPlan r = residual_plan(true, rng);
  ASSERT_NE(r.executor, nullptr);
  EXPECT_EQ(r.executor->arena_bytes(), 3 * kResidualValueBytes);
  expect_runs_right(r, rng);
}

TEST(StaticExecutor, DeclinesPlansWithDynamicShapes) {
  std::mt19937 rng(2);
  auto model = chain(rng);
  model->graph->inputs[0].type = ValueType::tensor(
      ElementType::F32, PartialShape({Dimension::named("n"), Dimension(8), Dimension(12), Dimension(12)}));
  const GraphPlan plan(*model->graph, model->opsets, OuterScope{}, "chain", cpu::select_kernel);
  EXPECT_EQ(StaticExecutor::create(plan), nullptr);
}

}  // namespace
}  // namespace tandem::execution
