// The VNPU's f16 rewrite: what becomes f16, what ONNX requires to stay f32, and the Casts it adds.
#include "devices/vnpu/half_precision.h"

#include <gtest/gtest.h>

#include <random>

#include "devices/vnpu/vnpu_test_util.h"

namespace tandem::vnpu {
namespace {

using testing::ModelBuilder;

const ir::Node& node_named(const ir::Graph& graph, const std::string& name) {
  for (const ir::Node& node : graph.nodes)
    if (node.name == name) return node;
  throw std::runtime_error("no node " + name);
}

TEST(VnpuHalfPrecision, MakesInputsOutputsWeightsConstantsAndCastsF16) {
  ir::Node constant{"half", "Constant", "", {}, {"h"}, {}};
  constant.attributes["value_float"] = 0.5f;
  ir::Node cast{"cast", "Cast", "", {"m"}, {"y"}, {}};
  cast.attributes["to"] = int64_t(ElementType::F32);
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, {2})
                   .input("ids", ElementType::U8, {2})
                   .constant("w", Tensor::from<float>({1.5f, 2.5f}))
                   .node(constant)
                   .node({"mul", "Mul", "", {"x", "w"}, {"p"}, {}})
                   .node({"scale", "Mul", "", {"p", "h"}, {"m"}, {}})
                   .node(cast)
                   .output("y")
                   .build();
  const HalfPrecisionModel half = to_half_precision(*model);
  const ir::Graph& g = *half.model->graph;
  EXPECT_EQ(g.inputs[0].type.element_type, ElementType::F16);
  EXPECT_EQ(g.inputs[1].type.element_type, ElementType::U8);
  EXPECT_EQ(g.outputs[0].type.element_type, ElementType::F16);
  ASSERT_EQ(g.initializers.at("w").element_type(), ElementType::F16);
  EXPECT_EQ(float(g.initializers.at("w").span<const float16>()[1]), 2.5f);
  const ir::Node& h = node_named(g, "half");
  EXPECT_FALSE(h.find_attribute("value_float"));
  EXPECT_EQ(std::get<Tensor>(*h.find_attribute("value")).element_type(), ElementType::F16);
  EXPECT_EQ(std::get<int64_t>(*node_named(g, "cast").find_attribute("to")),
            int64_t(ElementType::F16));
  EXPECT_TRUE(half.added_nodes.empty());
  EXPECT_EQ(model->graph->initializers.at("w").element_type(),
            ElementType::F32);  // source untouched

  std::mt19937 rng(1);
  const Tensor x = testing::random_f32({2}, rng);
  const Tensor ids = Tensor::from<uint8_t>({1, 2});
  testing::expect_fp16_close(testing::run_on(vnpu_device(), model, {x, ids})[0],
                             testing::run_on(cpu::cpu_device(), model, {x, ids})[0]);
}

TEST(VnpuHalfPrecision, KeepsScalesF32AndCastsWhatTheyShareWithF16Readers) {
  // `scales` feeds Resize (which takes only f32 scales) and a Mul (f16): it is converted for the
  // Mul, and Resize reads a Cast of it back to f32. `only_resize` feeds Resize alone and stays.
  auto model = ModelBuilder(13)
                   .input("x", ElementType::F32, {1, 1, 2, 2})
                   .constant("scales", Tensor::from<float>({1, 1, 2, 2}))
                   .constant("only_resize", Tensor::from<float>({1, 1, 3, 3}))
                   .node({"up", "Resize", "", {"x", "", "scales"}, {"u"}, {}})
                   .node({"up3", "Resize", "", {"x", "", "only_resize"}, {"v"}, {}})
                   .node({"mul", "Mul", "", {"scales", "scales"}, {"s"}, {}})
                   .output("u")
                   .output("v")
                   .output("s")
                   .build();
  const HalfPrecisionModel half = to_half_precision(*model);
  const ir::Graph& g = *half.model->graph;
  EXPECT_EQ(g.initializers.at("scales").element_type(), ElementType::F16);
  EXPECT_EQ(g.initializers.at("only_resize").element_type(), ElementType::F32);
  EXPECT_EQ(node_named(g, "up").inputs[2], "vnpu_f32/scales");
  EXPECT_EQ(node_named(g, "up3").inputs[2], "only_resize");
  EXPECT_EQ(half.added_nodes, (std::set<std::string>{"vnpu_f32/scales"}));
  // The Cast comes right before its first reader.
  ASSERT_EQ(g.nodes.size(), 4u);
  EXPECT_EQ(g.nodes[0].name, "vnpu_f32/scales");
  EXPECT_EQ(std::get<int64_t>(*g.nodes[0].find_attribute("to")), int64_t(ElementType::F32));

  const Tensor x = Tensor::from<float>({1, 2, 3, 4}, {1, 1, 2, 2});
  const auto got = testing::run_on(vnpu_device(), model, {x});
  const auto want = testing::run_on(cpu::cpu_device(), model, {x});
  for (size_t i = 0; i < want.size(); ++i) testing::expect_fp16_close(got[i], want[i]);
}

}  // namespace
}  // namespace tandem::vnpu
