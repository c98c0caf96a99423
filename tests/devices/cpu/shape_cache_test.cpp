// A model whose inputs have dynamic dimensions, compiled for the CPU: each run's shapes get a
// compile of their own (oneDNN's kernels, not the reference ones), kept for the runs after it
// within SHAPE_CACHE_CAPACITY, with the reference kernels' results.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>

#include "ir/graph.h"
#include "ops/op_case.h"
#include "passes/pass_test_util.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

using Ints = std::vector<int64_t>;
using passes::testing::random_tensor;

const std::map<std::string, ir::Attribute> kSamePads{{"pads", Ints{1, 1, 1, 1}}};

// `nodes` reading x [batch, 8, 10, 10] and writing y, with 3x3 weights of `filters` filters each.
Model dynamic_model(const std::map<std::string, int64_t>& filters, std::vector<ir::Node> nodes) {
  std::mt19937 rng(3);
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({Dimension::named("batch"), 8, 10, 10}))});
  g.outputs.push_back(Port{"y", ValueType{}});
  for (const auto& [name, count] : filters) g.initializers[name] = random_tensor({count, 8, 3, 3}, rng);
  g.nodes = std::move(nodes);
  return Model(model);
}

// x -> conv 3x3 (16) -> relu -> y.
Model dynamic_conv() {
  return dynamic_model({{"w", 16}}, {ir::Node{"conv", "Conv", "", {"x", "w"}, {"c"}, kSamePads},
                                     ir::Node{"relu", "Relu", "", {"c"}, {"y"}, {}}});
}

struct Outcome {
  Tensor y;
  std::string conv_exec_type;
};

Outcome run(const CompiledModel& compiled, const Tensor& x) {
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  Outcome outcome{request.get_tensor("y"), {}};
  for (const ProfilingInfo& info : request.profiling_info())
    if (info.node_name == "conv") outcome.conv_exec_type = info.exec_type;
  return outcome;
}

void expect_near(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  auto g = got.span<const float>(), w = want.span<const float>();
  for (size_t i = 0; i < w.size(); ++i)
    ASSERT_NEAR(g[i], w[i], 1e-4f * std::max(1.0f, std::fabs(w[i]))) << "at " << i;
}

CompiledModel compile(const std::string& capacity) {
  return Core().compile_model(dynamic_conv(), "CPU",
                              {{properties::kEnableProfiling, "YES"}, {properties::kShapeCacheCapacity, capacity}});
}

// Batches 2, 1, 3, 2, 1 with room for `capacity` shapes: every run takes oneDNN's kernel and
// gives the reference kernel's outputs, whether its shape was kept or compiled again.
void expect_each_batch_runs_compiled(const std::string& capacity) {
  SCOPED_TRACE("SHAPE_CACHE_CAPACITY " + capacity);
  const CompiledModel compiled = compile(capacity), reference = compile("0");
  std::mt19937 rng(9);
  for (int64_t batch : {2, 1, 3, 2, 1}) {
    const Tensor x = random_tensor({batch, 8, 10, 10}, rng);
    const Outcome got = run(compiled, x), want = run(reference, x);
    EXPECT_TRUE(got.conv_exec_type.starts_with("onednn")) << "batch " << batch << " ran " << got.conv_exec_type;
    EXPECT_EQ(want.conv_exec_type, "reference");
    expect_near(got.y, want.y);
  }
}

TEST(ShapeCache, EachShapeRunsKernelsCompiledForIt) { expect_each_batch_runs_compiled("4"); }

TEST(ShapeCache, ShapesBeyondTheCapacityAreCompiledAgain) { expect_each_batch_runs_compiled("1"); }

TEST(ShapeCache, InputsTheModelRefusesStillSayWhy) {
  const CompiledModel compiled = compile("4");
  std::mt19937 rng(2);
  EXPECT_THROW(run(compiled, random_tensor({1, 5, 10, 10}, rng)), Error);
  const Tensor x = random_tensor({2, 8, 10, 10}, rng);
  expect_near(run(compiled, x).y, run(compile("0"), x).y);
}

// x [batch, 8, 10, 10] -> conv a -> conv b -> + a -> relu -> y: with the batch unknown the graph
// passes leave the residual Add alone (its shapes are not known to match); compiled again for
// the run's shape, they fuse it into conv b.
TEST(ShapeCache, EachShapeGoesThroughTheGraphPassesAgain) {
  std::mt19937 rng(4);
  const Model model = dynamic_model({{"wa", 8}, {"wb", 8}}, {ir::Node{"conv_a", "Conv", "", {"x", "wa"}, {"a"}, kSamePads},
                                                          ir::Node{"conv_b", "Conv", "", {"a", "wb"}, {"b"}, kSamePads},
                                                          ir::Node{"add", "Add", "", {"b", "a"}, {"s"}, {}},
                                                          ir::Node{"relu", "Relu", "", {"s"}, {"y"}, {}}});
  const CompiledModel compiled =
      Core().compile_model(model, "CPU", {{properties::kEnableProfiling, "YES"}});
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", random_tensor({2, 8, 10, 10}, rng));
  request.infer();
  std::map<std::string, std::string> ran;
  for (const ProfilingInfo& info : request.profiling_info()) ran[info.node_name] = info.exec_type;
  EXPECT_TRUE(ran["conv_b"].starts_with("onednn_fused_conv")) << ran["conv_b"];
  EXPECT_FALSE(ran.contains("add") && ran["add"].starts_with("onednn")) << ran["add"];
}

TEST(ShapeCache, CapacityIsAPropertyOfTheCompiledModel) {
  EXPECT_EQ(compile("2").get_property(properties::kShapeCacheCapacity), "2");
  EXPECT_EQ(Core().compile_model(dynamic_conv(), "CPU").get_property(properties::kShapeCacheCapacity), "4");
  EXPECT_THROW_KIND(compile("-1"), ErrorKind::InvalidArgument, "SHAPE_CACHE_CAPACITY must be a non-negative integer");
}

}  // namespace
}  // namespace tandem
