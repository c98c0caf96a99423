// Blocked layouts flowing between the CPU's oneDNN kernels, through the public API: a small CNN
// whose values pass conv to pool to conv in oneDNN's blocked layout (channels that are no multiple
// of the block included, so the padded part of the layout is exercised) against the reference
// kernels, with a value read both blocked and as a graph output, and under streams whose thread
// count differs from the compiling thread's; and a fire module's concat and squeeze-and-excitation
// multiplies, which join and scale blocked values without leaving the layout.
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

// x [1, 3, 20, 20] -> conv1 3x3 (32) -> relu -> a; a -> 1x1 (16) and 3x3 (16) -> concat (a fire
// module) -> cat; cat * sigmoid(1x1 conv of its global average) (squeeze and excitation) -> conv3
// 1x1 (24) -> c3 * sigmoid(...) again, over 24 channels that pad the last block -> conv4 -> y.
Model fire_and_excite(PartialShape x_shape, std::mt19937& rng) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.name = "fire_and_excite";
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, std::move(x_shape))});
  g.outputs.push_back(Port{"y", ValueType{}});
  g.initializers["w1"] = random_tensor({32, 3, 3, 3}, rng);
  g.initializers["we1"] = random_tensor({16, 32, 1, 1}, rng);
  g.initializers["we3"] = random_tensor({16, 32, 3, 3}, rng);
  g.initializers["ws1"] = random_tensor({32, 32, 1, 1}, rng);
  g.initializers["w3"] = random_tensor({24, 32, 1, 1}, rng);
  g.initializers["ws3"] = random_tensor({24, 24, 1, 1}, rng);
  g.initializers["w4"] = random_tensor({8, 24, 1, 1}, rng);
  const std::map<std::string, ir::Attribute> same{{"pads", Ints{1, 1, 1, 1}}};
  g.nodes = {
      ir::Node{"conv1", "Conv", "", {"x", "w1"}, {"c1"}, same},
      ir::Node{"relu1", "Relu", "", {"c1"}, {"a"}, {}},
      ir::Node{"expand1", "Conv", "", {"a", "we1"}, {"e1"}, {}},
      ir::Node{"expand3", "Conv", "", {"a", "we3"}, {"e3"}, same},
      ir::Node{"concat", "Concat", "", {"e1", "e3"}, {"cat"}, {{"axis", int64_t{1}}}},
      ir::Node{"squeeze1", "GlobalAveragePool", "", {"cat"}, {"g1"}, {}},
      ir::Node{"excite1", "Conv", "", {"g1", "ws1"}, {"z1"}, {}},
      ir::Node{"gate1", "Sigmoid", "", {"z1"}, {"s1"}, {}},
      ir::Node{"scale1", "Mul", "", {"cat", "s1"}, {"m1"}, {}},
      ir::Node{"conv3", "Conv", "", {"m1", "w3"}, {"c3"}, {}},
      ir::Node{"squeeze3", "GlobalAveragePool", "", {"c3"}, {"g3"}, {}},
      ir::Node{"excite3", "Conv", "", {"g3", "ws3"}, {"z3"}, {}},
      ir::Node{"gate3", "Sigmoid", "", {"z3"}, {"s3"}, {}},
      ir::Node{"scale3", "Mul", "", {"c3", "s3"}, {"m3"}, {}},
      ir::Node{"conv4", "Conv", "", {"m3", "w4"}, {"y"}, {}},
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
    // A dynamic batch, never compiled for the run's shape, leaves every node to its reference kernel.
    const Model reference_model = cnn(PartialShape({Dimension::named("batch"), Dimension(3), Dimension(20),
                                         Dimension(20)}),
                           same_weights);
    x_ = random_tensor({1, 3, 20, 20}, input_rng);
    const CompiledModel reference =
        core_.compile_model(reference_model, "CPU", {{properties::kEnableProfiling, "YES"}, {properties::kShapeCacheCapacity, "0"}});
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

TEST(LayoutAssignmentOfJoins, ConcatAndScaleStayBlockedAndMatchTheReference) {
  std::mt19937 weights_rng(13), same_weights = weights_rng, input_rng(17);
  const Model fixed = fire_and_excite(PartialShape(Shape{1, 3, 20, 20}), weights_rng);
  // A dynamic batch, never compiled for the run's shape, leaves every node to its reference kernel.
  const Model dynamic = fire_and_excite(
      PartialShape({Dimension::named("batch"), Dimension(3), Dimension(20), Dimension(20)}),
      same_weights);
  const Tensor x = random_tensor({1, 3, 20, 20}, input_rng);
  Core core;
  const auto run_y = [&](const Model& model) {
    InferRequest request =
        core.compile_model(model, "CPU", {{properties::kEnableProfiling, "YES"}, {properties::kShapeCacheCapacity, "0"}})
            .create_infer_request();
    request.set_tensor("x", x);
    request.infer();
    Outcome result{{request.get_tensor("y")}, {}};
    for (const ProfilingInfo& info : request.profiling_info())
      result.exec_types[info.node_name] = info.exec_type;
    return result;
  };
  const Outcome got = run_y(fixed), want = run_y(dynamic);
  EXPECT_EQ(want.exec_types.at("concat"), "reference");
  expect_near(got.outputs[0], want.outputs[0]);
  for (const char* node : {"concat", "scale1", "scale3"}) {
    const std::string& exec_type = got.exec_types.at(node);
    EXPECT_NE(exec_type.find("(blocked in)"), std::string::npos) << node << ": " << exec_type;
    EXPECT_NE(exec_type.find("(blocked out)"), std::string::npos) << node << ": " << exec_type;
  }
}

// y of `model` on x at INFERENCE_PRECISION_HINT `precision`, with the kernel each node ran.
Outcome run_y(const Model& model, const Tensor& x, const std::string& precision) {
  InferRequest request =
      Core()
          .compile_model(model, "CPU",
                         {{properties::kEnableProfiling, "YES"}, {properties::kInferencePrecisionHint, precision}})
          .create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  Outcome result{{request.get_tensor("y")}, {}};
  for (const ProfilingInfo& info : request.profiling_info()) result.exec_types[info.node_name] = info.exec_type;
  return result;
}

// run_y in bf16, or nullopt where the CPU has no bf16 kernels (compile_model refuses the hint).
std::optional<Outcome> run_bf16(const Model& model, const Tensor& x) {
  try {
    return run_y(model, x, "bf16");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Unsupported) throw;
    return std::nullopt;
  }
}

double cosine(const Tensor& a, const Tensor& b) {
  const auto x = a.span<const float>(), y = b.span<const float>();
  double dot = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    dot += double(x[i]) * y[i];
    xx += double(x[i]) * x[i];
    yy += double(y[i]) * y[i];
  }
  return dot / std::sqrt(xx * yy);
}

// x [1, 16, 14, 14] -> conv1 3x3 (32) + relu -> max pool 3x3 -> a; conv2 1x1 (32) of a, + a (a
// residual the fusion turns into conv2's sum) -> relu -> conv3 1x1 (16) -> global average -> y.
Model bottleneck(std::mt19937& rng) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.name = "bottleneck";
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape(Shape{1, 16, 14, 14}))});
  g.outputs.push_back(Port{"y", ValueType{}});
  g.initializers["w1"] = random_tensor({32, 16, 3, 3}, rng);
  g.initializers["w2"] = random_tensor({32, 32, 1, 1}, rng);
  g.initializers["w3"] = random_tensor({16, 32, 1, 1}, rng);
  g.nodes = {
      ir::Node{"conv1", "Conv", "", {"x", "w1"}, {"c1"}, {{"pads", Ints{1, 1, 1, 1}}}},
      ir::Node{"relu1", "Relu", "", {"c1"}, {"r1"}, {}},
      ir::Node{"pool", "MaxPool", "", {"r1"}, {"a"}, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}},
      ir::Node{"conv2", "Conv", "", {"a", "w2"}, {"c2"}, {}},
      ir::Node{"add", "Add", "", {"c2", "a"}, {"s"}, {}},
      ir::Node{"relu2", "Relu", "", {"s"}, {"r"}, {}},
      ir::Node{"conv3", "Conv", "", {"r", "w3"}, {"c3"}, {}},
      ir::Node{"gap", "GlobalAveragePool", "", {"c3"}, {"y"}, {}},
  };
  return Model(model);
}

TEST(LayoutAssignmentInBf16, ConvolutionsPassBf16ToConvolutionsAndStayNearF32) {
  std::mt19937 weights_rng(23), input_rng(29);
  const Model model = bottleneck(weights_rng);
  const Tensor x = random_tensor({1, 16, 14, 14}, input_rng);
  const std::optional<Outcome> got = run_bf16(model, x);
  if (!got) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  const Outcome want = run_y(model, x, "f32");
  // conv1 writes bf16 for the max pool, which keeps it for conv2; conv2 reads its residual in
  // bf16 and writes bf16 for conv3, and conv3 for the global average, which gives f32 to the caller.
  for (const char* node : {"conv1", "conv2", "conv3"})
    EXPECT_NE(got->exec_types.at(node).find("(bf16 out)"), std::string::npos) << node << ": " << got->exec_types.at(node);
  for (const char* node : {"pool", "gap"})
    EXPECT_NE(got->exec_types.at(node).find("(blocked in) (bf16)"), std::string::npos) << node << ": " << got->exec_types.at(node);
  // Three convolutions in bf16, each rounding its input to 8 significant bits.
  EXPECT_GT(cosine(got->outputs[0], want.outputs[0]), 0.999);
}

TEST(LayoutAssignmentInBf16, ConcatAndScaleJoinBf16Values) {
  std::mt19937 weights_rng(13), input_rng(17);
  const Model model = fire_and_excite(PartialShape(Shape{1, 3, 20, 20}), weights_rng);
  const Tensor x = random_tensor({1, 3, 20, 20}, input_rng);
  const std::optional<Outcome> got = run_bf16(model, x);
  if (!got) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  const Outcome want = run_y(model, x, "f32");
  for (const char* node : {"expand1", "expand3", "conv3"})
    EXPECT_NE(got->exec_types.at(node).find("(bf16 out)"), std::string::npos) << node << ": " << got->exec_types.at(node);
  for (const char* node : {"concat", "scale1", "scale3"})
    EXPECT_NE(got->exec_types.at(node).find("(blocked in)"), std::string::npos) << node << ": " << got->exec_types.at(node);
  EXPECT_GT(cosine(got->outputs[0], want.outputs[0]), 0.999);
}

}  // namespace
}  // namespace tandem
