// The oneDNN pooling kernel against the reference kernels, through the public API: one-node models
// with static input shapes (the kernel's case) and a dynamic batch (the reference's), over MaxPool,
// AveragePool (with and without count_include_pad), GlobalAveragePool and GlobalMaxPool, every
// rank, strides, pads, auto_pad, ceil_mode and dilations, channels around the vector width.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

struct PoolCase {
  std::string op;
  Shape x;
  std::map<std::string, ir::Attribute> attributes;
  int opset = 22;

  std::string describe() const {
    std::string text = fmt::format("{}-{} x={}", op, opset, x);
    for (const auto& [key, value] : attributes) {
      if (const auto* ints = std::get_if<std::vector<int64_t>>(&value))
        text += fmt::format(" {}={}", key, *ints);
      if (const auto* number = std::get_if<int64_t>(&value))
        text += fmt::format(" {}={}", key, *number);
      if (const auto* word = std::get_if<std::string>(&value))
        text += fmt::format(" {}={}", key, *word);
    }
    return text;
  }
};

Model pool_model(const PoolCase& c, PartialShape x_shape) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = c.opset;
  ir::Graph& g = *model->graph;
  g.name = "pool";
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, std::move(x_shape))});
  g.outputs.push_back(Port{"y", ValueType{}});
  g.nodes.push_back(ir::Node{"pool", c.op, "", {"x"}, {"y"}, c.attributes});
  return Model(model);
}

struct Run {
  Tensor y;
  std::string exec_type;
};

Run run(const Model& model, const Tensor& x) {
  CompiledModel compiled =
      Core().compile_model(model, "CPU", {{properties::kEnableProfiling, "YES"}, {properties::kShapeCacheCapacity, "0"}});
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  std::string exec_type;
  for (const ProfilingInfo& info : request.profiling_info())
    if (info.node_name == "pool") exec_type = info.exec_type;
  return {request.get_tensor("y"), exec_type};
}

// Max is exact; averages may sum in another order (relative 1e-5 of the values' magnitude, at
// most 1 here).
void expect_matches_reference(const PoolCase& c, std::mt19937& rng) {
  SCOPED_TRACE(c.describe());
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor x(ElementType::F32, c.x);
  for (float& v : x.span<float>()) v = d(rng);
  PartialShape dynamic = PartialShape(c.x);
  std::vector<Dimension> dims = dynamic.dims();
  dims[0] = Dimension::named("batch");
  const Run got = run(pool_model(c, PartialShape(c.x)), x);
  const Run want = run(pool_model(c, PartialShape(dims)), x);
  EXPECT_TRUE(got.exec_type.starts_with("onednn_pool_f32")) << "ran " << got.exec_type;
  EXPECT_EQ(want.exec_type, "reference");
  ASSERT_EQ(got.y.shape(), want.y.shape());
  auto g = got.y.span<const float>(), r = want.y.span<const float>();
  int reported = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    if (std::fabs(g[i] - r[i]) <= 1e-5f) continue;
    ADD_FAILURE() << "at " << i << ": " << g[i] << " vs reference " << r[i];
    if (++reported == 5) break;
  }
}

using Ints = std::vector<int64_t>;

TEST(OnednnPool, HandPickedCasesMatchReference) {
  const PoolCase cases[] = {
      // ResNet's stem pool and SqueezeNet's ceil-mode pools.
      {"MaxPool",
       {1, 64, 112, 112},
       {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}},
      {"MaxPool",
       {1, 64, 111, 111},
       {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}}},
      {"MaxPool",
       {2, 17, 9, 7},
       {{"kernel_shape", Ints{2, 3}}, {"dilations", Ints{2, 1}}, {"pads", Ints{1, 0, 0, 2}}}},
      {"MaxPool",
       {1, 3, 10},
       {{"kernel_shape", Ints{3}}, {"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2}}}},
      {"MaxPool",
       {1, 16, 5, 6, 7},
       {{"kernel_shape", Ints{2, 2, 2}}, {"ceil_mode", int64_t{1}}, {"strides", Ints{2, 2, 2}}}},
      {"MaxPool", {1, 8, 7, 7}, {{"kernel_shape", Ints{3, 3}}}, 8},
      {"AveragePool", {1, 17, 9, 9}, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}},
      {"AveragePool",
       {1, 17, 9, 9},
       {{"kernel_shape", Ints{3, 3}},
        {"pads", Ints{1, 1, 1, 1}},
        {"count_include_pad", int64_t{1}}}},
      {"AveragePool",
       {2, 16, 10, 11},
       {{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}}},
      {"AveragePool",
       {1, 8, 9, 9},
       {{"kernel_shape", Ints{2, 2}},
        {"dilations", Ints{2, 2}},
        {"auto_pad", std::string("SAME_LOWER")}}},
      {"AveragePool",
       {1, 4, 6, 5, 4},
       {{"kernel_shape", Ints{3, 3, 3}}, {"pads", Ints{1, 0, 1, 1, 1, 0}}}},
      {"GlobalAveragePool", {1, 1280, 7, 7}},
      {"GlobalAveragePool", {2, 17, 5}},
      {"GlobalAveragePool", {1, 3, 4, 5, 6}},
      {"GlobalMaxPool", {1, 64, 9, 9}},
  };
  std::mt19937 rng(41);
  for (const PoolCase& c : cases) expect_matches_reference(c, rng);
}

// count_include_pad with ceil_mode reaching past the pads: ONNX counts the pads but not the
// reach, oneDNN would count both, so the reference runs.
TEST(OnednnPool, DeclinesIncludePadBeyondThePads) {
  const PoolCase c{"AveragePool",
                   {1, 8, 10, 10},
                   {{"kernel_shape", Ints{3, 3}},
                    {"strides", Ints{2, 2}},
                    {"ceil_mode", int64_t{1}},
                    {"count_include_pad", int64_t{1}}}};
  std::mt19937 rng(43);
  Tensor x(ElementType::F32, c.x);
  EXPECT_EQ(run(pool_model(c, PartialShape(c.x)), x).exec_type, "reference");
}

TEST(OnednnPool, RandomCasesMatchReference) {
  std::mt19937 rng(47);
  auto pick = [&](std::initializer_list<int64_t> values) {
    return *(values.begin() + std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng));
  };
  for (int i = 0; i < 60; ++i) {
    PoolCase c;
    c.op = pick({0, 1, 1}) == 0 ? "MaxPool" : "AveragePool";
    const size_t rank = size_t(pick({1, 2, 2, 3}));
    c.x = {pick({1, 2}), pick({1, 3, 8, 16, 17})};
    Ints kernel, strides, dilations, pads(2 * rank);
    for (size_t k = 0; k < rank; ++k) {
      kernel.push_back(pick({1, 2, 3}));
      strides.push_back(pick({1, 2, 3}));
      dilations.push_back(pick({1, 1, 2}));
      pads[k] = pick({0, 1}) * (kernel[k] > 1 ? 1 : 0);
      pads[rank + k] = pick({0, 1}) * (kernel[k] > 1 ? 1 : 0);
      c.x.push_back(std::max<int64_t>(pick({3, 5, 8, 13}), (kernel[k] - 1) * dilations[k] + 1));
    }
    c.attributes = {{"kernel_shape", kernel},
                    {"strides", strides},
                    {"dilations", dilations},
                    {"pads", pads},
                    {"ceil_mode", pick({0, 1})}};
    if (c.op == "AveragePool" && pick({0, 1}) == 1 &&
        std::get<int64_t>(c.attributes["ceil_mode"]) == 0)
      c.attributes["count_include_pad"] = int64_t{1};
    expect_matches_reference(c, rng);
  }
}

}  // namespace
}  // namespace tandem
