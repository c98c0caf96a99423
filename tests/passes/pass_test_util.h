// What the pass tests share: models built in a few lines, and runs on the reference kernels
// alone (no passes, no optimised kernels), so that a model before and after a pass can be
// compared value for value.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "execution/graph_executor.h"
#include "execution/graph_plan.h"
#include "ir/graph.h"

namespace tandem::passes::testing {

class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 17) : model_(std::make_shared<ir::Model>()) {
    model_->graph = std::make_shared<ir::Graph>();
    model_->graph->name = "test";
    model_->opsets[""] = opset;
  }
  ModelBuilder& input(const std::string& name, Shape shape) {
    model_->graph->inputs.push_back(
        Port{name, ValueType::tensor(ElementType::F32, PartialShape(shape))});
    return *this;
  }
  ModelBuilder& output(const std::string& name) {
    model_->graph->outputs.push_back(Port{name, ValueType{}});
    return *this;
  }
  ModelBuilder& initializer(const std::string& name, Tensor value) {
    model_->graph->initializers[name] = std::move(value);
    return *this;
  }
  ModelBuilder& node(const std::string& op, std::vector<std::string> inputs,
                     std::vector<std::string> outputs,
                     std::map<std::string, ir::Attribute> attributes = {}) {
    const std::string name = op + std::to_string(model_->graph->nodes.size());
    model_->graph->nodes.push_back(
        ir::Node{name, op, "", std::move(inputs), std::move(outputs), std::move(attributes)});
    return *this;
  }
  std::shared_ptr<ir::Model> build() const { return model_; }

 private:
  std::shared_ptr<ir::Model> model_;
};

inline Tensor random_tensor(const Shape& shape, std::mt19937& rng, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(ElementType::F32, shape);
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

/// A copy of `model` whose graph a pass may rewrite while `model` stays as it is (weights shared).
inline std::shared_ptr<ir::Model> copy_of(const ir::Model& model) {
  auto copy = std::make_shared<ir::Model>(model);
  copy->graph = std::make_shared<ir::Graph>(*model.graph);
  return copy;
}

/// The model's outputs computed by the reference kernels, with the graph as it is.
inline std::vector<Value> run_reference(const ir::Model& model, std::vector<Value> inputs) {
  const execution::GraphPlan plan(*model.graph, model.opsets, {}, "test");
  return execution::execute(plan, std::move(inputs));
}

inline std::vector<std::string> op_types(const ir::Model& model) {
  std::vector<std::string> ops;
  for (const ir::Node& node : model.graph->nodes) ops.push_back(node.op_type);
  return ops;
}

inline void expect_close(const Tensor& got, const Tensor& want, float tolerance = 1e-5f) {
  ASSERT_EQ(got.shape(), want.shape());
  auto g = got.span<const float>(), w = want.span<const float>();
  for (size_t i = 0; i < w.size(); ++i)
    ASSERT_NEAR(g[i], w[i], tolerance * (1 + std::fabs(w[i]))) << "at " << i;
}

}  // namespace tandem::passes::testing
