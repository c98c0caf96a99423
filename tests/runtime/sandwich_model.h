// The runtime tests' model for a device with CPU fallback, and their random inputs.
#pragma once

#include <memory>
#include <random>

#include "ir/graph.h"
#include "tandem/tandem.h"

namespace tandem::testing {

/// f32 values uniform in [-range, range), the same for the same seed.
inline Tensor random_tensor(Shape shape, unsigned seed, float range = 0.1f) {
  Tensor t(ElementType::F32, std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-range, range);
  for (float& x : t.span<float>()) x = dist(gen);
  return t;
}

/// y = (Sin(x·W1) + x)·W2: MatMul on the VNPU, Sin on the CPU (not an NPU op), Add and MatMul on
/// the VNPU again, which reads x a second time. From host memory a run copies four values: x in,
/// a out, b in, y out.
inline Model sandwich_model(PartialShape x_shape = PartialShape({64, 256})) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  model->path = "sandwich.onnx";
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, x_shape)});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({64, 256}))});
  g.initializers.emplace("w1", random_tensor({256, 256}, 1));
  g.initializers.emplace("w2", random_tensor({256, 256}, 2));
  g.nodes.push_back(ir::Node{"mm1", "MatMul", "", {"x", "w1"}, {"a"}, {}});
  g.nodes.push_back(ir::Node{"sin", "Sin", "", {"a"}, {"b"}, {}});
  g.nodes.push_back(ir::Node{"add", "Add", "", {"b", "x"}, {"c"}, {}});
  g.nodes.push_back(ir::Node{"mm2", "MatMul", "", {"c", "w2"}, {"y"}, {}});
  return Model(model);
}

}  // namespace tandem::testing
