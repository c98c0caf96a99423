// compile_model(std::move(model)): the weights the CPU packs are let go of (held once, by the
// kernels), the outputs stay those of a model compiled from a kept copy, and an exported blob
// still carries the weights (the kernels give them back).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include "ir/graph.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

struct Weights {
  Tensor tensor;
  std::weak_ptr<const void> bytes;  // expires once no tensor holds them
};

// A tensor over bytes of its own, as the ONNX reader makes them, so a test can see them go.
Weights random_weights(Shape shape, unsigned seed) {
  Tensor values(ElementType::F32, std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  for (float& x : values.span<float>()) x = dist(gen);
  auto bytes = std::make_shared<std::vector<float>>(values.span<const float>().begin(), values.span<const float>().end());
  Tensor t = Tensor::wrap(ElementType::F32, values.shape(), bytes->data(), bytes);
  return {t, bytes};
}

// y = Relu(x·w1 + bias)·w2: both weights packed by the CPU's matmul kernels.
ir::Model two_layers(const Tensor& w1, const Tensor& w2) {
  ir::Model model;
  model.graph = std::make_shared<ir::Graph>();
  model.opsets[""] = 17;
  ir::Graph& g = *model.graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({8, 64}))});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({8, 32}))});
  g.initializers.emplace("w1", w1);
  g.initializers.emplace("w2", w2);
  g.initializers.emplace("bias", Tensor::from<float>(std::vector<float>(48, 0.25f)));
  g.nodes.push_back(ir::Node{"mm1", "MatMul", "", {"x", "w1"}, {"a"}, {}});
  g.nodes.push_back(ir::Node{"add", "Add", "", {"a", "bias"}, {"b"}, {}});
  g.nodes.push_back(ir::Node{"relu", "Relu", "", {"b"}, {"c"}, {}});
  g.nodes.push_back(ir::Node{"mm2", "MatMul", "", {"c", "w2"}, {"y"}, {}});
  return model;
}

Tensor infer(const CompiledModel& compiled, const Tensor& x) {
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  return request.get_tensor("y");
}

void expect_same(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < want.size(); ++i) ASSERT_EQ(got.data<float>()[i], want.data<float>()[i]) << i;
}

TEST(HandedOverModel, LetsGoOfTheWeightsTheCpuPacksAndRunsTheSame) {
  const Tensor x = random_weights({8, 64}, 3).tensor;
  Weights w1 = random_weights({64, 48}, 1), w2 = random_weights({48, 32}, 2);
  const Core core;
  Model kept(std::make_shared<ir::Model>(two_layers(w1.tensor, w2.tensor)));
  std::optional<CompiledModel> from_kept = core.compile_model(kept);

  Model handed(std::make_shared<ir::Model>(two_layers(w1.tensor, w2.tensor)));
  w1.tensor = w2.tensor = Tensor();
  kept = Model(nullptr);
  EXPECT_FALSE(w1.bytes.expired());  // from_kept's plan holds them: it was compiled from a copy kept
  const CompiledModel from_handed = core.compile_model(std::move(handed));
  expect_same(infer(from_handed, x), infer(*from_kept, x));

  // Only from_kept holds the bytes now; without it, nothing does.
  from_kept.reset();
  EXPECT_TRUE(w1.bytes.expired());
  EXPECT_TRUE(w2.bytes.expired());
  const Tensor want = infer(from_handed, x);

  std::stringstream blob;
  from_handed.export_model(blob);
  expect_same(infer(core.import_model(blob), x), want);
}

TEST(HandedOverModel, AModelStillHeldElsewhereKeepsItsWeights) {
  Weights w1 = random_weights({64, 48}, 1), w2 = random_weights({48, 32}, 2);
  const Model model(std::make_shared<ir::Model>(two_layers(w1.tensor, w2.tensor)));
  w1.tensor = w2.tensor = Tensor();
  Model copy = model;
  const CompiledModel compiled = Core().compile_model(std::move(copy));
  EXPECT_FALSE(w1.bytes.expired());
  EXPECT_EQ(model.inputs().front().name, "x");
}

}  // namespace
}  // namespace tandem
