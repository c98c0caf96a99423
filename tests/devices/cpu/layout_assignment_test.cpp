// Blocked layouts flowing between the CPU's oneDNN kernels, through the public API: a small CNN
// whose values pass conv to pool to conv in oneDNN's blocked layout (channels that are no multiple
// of the block included, so the padded part of the layout is exercised) against the reference
// kernels, with a value read both blocked and as a graph output, and under streams whose thread
// count differs from the compiling thread's.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

using Ints = std::vector<int64_t>;

Tensor random_tensor(Shape shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor t(ElementType::F32, std::move(shape));
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

// x [N, 3, 20, 20] -> conv1 3x3 (24) -> relu -> pool 2x2 -> conv2 1x1 (24) -> + pool -> conv3
// depthwise 3x3 -> gap. "s" (a graph output as well as conv3's input) must stay plain; everything
// else may pass blocked.
Model cnn(PartialShape x_shape, std::mt19937& rng) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.name = "cnn";
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, std::move(x_shape))});
  for (const char* output : {"gap", "s"}) g.outputs.push_back(Port{output, ValueType{}});
  g.initializers["w1"] = random_tensor({24, 3, 3, 3}, rng);
  g.initializers["b1"] = random_tensor({24}, rng);
  g.initializers["w2"] = random_tensor({24, 24, 1, 1}, rng);
  g.initializers["w3"] = random_tensor({24, 1, 3, 3}, rng);
  const std::map<std::string, ir::Attribute> same{{"pads", Ints{1, 1, 1, 1}}};
  g.nodes = {
      ir::Node{"conv1", "Conv", "", {"x", "w1", "b1"}, {"c1"}, same},
      ir::Node{"relu1", "Relu", "", {"c1"}, {"relu"}, {}},
      ir::Node{"pool", "MaxPool", "", {"relu"}, {"p"},
               {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}},
      ir::Node{"conv2", "Conv", "", {"p", "w2"}, {"c2"}, {}},
      ir::Node{"add", "Add", "", {"c2", "p"}, {"s"}, {}},
      ir::Node{"conv3", "Conv", "", {"s", "w3"}, {"c3"},
               {{"pads", Ints{1, 1, 1, 1}}, {"group", int64_t{24}}}},
      ir::Node{"gap", "GlobalAveragePool", "", {"c3"}, {"gap"}, {}},
  };
  return Model(model);
}

struct Outcome {
  std::vector<Tensor> outputs;
  std::map<std::string, std::string> exec_types;
};

Outcome run(const CompiledModel& compiled, const Tensor& x) {
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  Outcome result{{request.get_tensor("gap"), request.get_tensor("s")}, {}};
  for (const ProfilingInfo& info : request.profiling_info())
    result.exec_types[info.node_name] = info.exec_type;
  return result;
}

void expect_near(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  auto g = got.span<const float>(), w = want.span<const float>();
  int reported = 0;
  for (size_t i = 0; i < w.size() && reported < 5; ++i)
    if (std::fabs(g[i] - w[i]) > 1e-4f * std::max(1.0f, std::fabs(w[i])))
      ADD_FAILURE() << "at " << i << ": " << g[i] << " vs reference " << w[i] << " (" << ++reported
                    << ")";
}

class LayoutAssignment : public testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 weights_rng(7), input_rng(11);
    std::mt19937 same_weights = weights_rng;
    fixed_.emplace(cnn(PartialShape(Shape{1, 3, 20, 20}), weights_rng));
    // A dynamic batch leaves every node to its reference kernel.
    const Model reference_model = cnn(PartialShape({Dimension::named("batch"), Dimension(3), Dimension(20),
                                         Dimension(20)}),
                           same_weights);
    x_ = random_tensor({1, 3, 20, 20}, input_rng);
    const CompiledModel reference =
        core_.compile_model(reference_model, "CPU", {{properties::kEnableProfiling, "YES"}});
    want_ = run(reference, x_);
  }

  Core core_;
  std::optional<Model> fixed_;
  Tensor x_;
  Outcome want_;
};

TEST_F(LayoutAssignment, BlockedValuesGiveTheReferenceResults) {
  const Outcome got =
      run(core_.compile_model(*fixed_, "CPU", {{properties::kEnableProfiling, "YES"}}), x_);
  expect_near(got.outputs[0], want_.outputs[0]);
  expect_near(got.outputs[1], want_.outputs[1]);
  EXPECT_EQ(want_.exec_types.at("conv2"), "reference");
  const auto expect_blocked = [&](const char* node, bool in, bool out) {
    const std::string& exec_type = got.exec_types.at(node);
    EXPECT_EQ(exec_type.find("(blocked in)") != std::string::npos, in) << node << ": " << exec_type;
    EXPECT_EQ(exec_type.find("(blocked out)") != std::string::npos, out) << node << ": " << exec_type;
  };
  expect_blocked("conv1", false, true);  // with relu1 fused into it
  expect_blocked("pool", true, true);
  // conv2 reads the pool's output twice, as its input and as the residual it adds; its own output
  // is a graph output too, so it stays plain.
  expect_blocked("conv2", true, false);
  expect_blocked("conv3", false, true);
  expect_blocked("gap", true, false);
}

TEST_F(LayoutAssignment, StreamsOfOtherThreadCountsKeepTheLayouts) {
  const CompiledModel compiled = core_.compile_model(
      *fixed_, "CPU",
      {{properties::kEnableProfiling, "YES"}, {properties::kPerformanceHint, "THROUGHPUT"},
       {properties::kNumStreams, "2"}, {properties::kInferenceNumThreads, "2"}});
  for (int i = 0; i < 4; ++i) {
    const Outcome got = run(compiled, x_);
    expect_near(got.outputs[0], want_.outputs[0]);
    expect_near(got.outputs[1], want_.outputs[1]);
  }
}

}  // namespace
}  // namespace tandem
