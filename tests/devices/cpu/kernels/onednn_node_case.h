// One-node models for comparing a oneDNN kernel with the op's reference kernel through the public
// API: the model with static input shapes takes the oneDNN kernel, the same model with inputs of
// unknown dimensions the reference, and the outputs must agree within a tolerance.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "tandem/tandem.h"

namespace tandem::testing {

struct NodeCase {
  std::string op;
  int opset = 22;
  std::vector<Shape> inputs;                              // fed at run time, named x0, x1, …
  std::vector<std::pair<std::string, Tensor>> constants;  // initializers, after the inputs
  std::map<std::string, ir::Attribute> attributes;
  std::string domain = "";  // another than ONNX's (com.tandem) has opset 1, ONNX's `opset`

  std::string describe() const {
    std::string text = fmt::format("{}{}-{}", domain.empty() ? "" : domain + ".", op, opset);
    for (const Shape& s : inputs) text += fmt::format(" {}", s);
    for (const auto& [name, value] : constants) text += fmt::format(" const {}", value.shape());
    for (const auto& [key, value] : attributes) {
      if (const auto* number = std::get_if<int64_t>(&value))
        text += fmt::format(" {}={}", key, *number);
      if (const auto* real = std::get_if<float>(&value)) text += fmt::format(" {}={}", key, *real);
      if (const auto* word = std::get_if<std::string>(&value))
        text += fmt::format(" {}={}", key, *word);
    }
    return text;
  }

  /// The model, its run-time inputs declared with their shapes or, when `dynamic`, of unknown
  /// dimensions (which no oneDNN kernel accepts).
  Model model(bool dynamic) const {
    auto model = std::make_shared<ir::Model>();
    model->graph = std::make_shared<ir::Graph>();
    model->opsets[""] = opset;
    if (!domain.empty()) model->opsets[domain] = 1;
    ir::Graph& g = *model->graph;
    g.name = "node";
    ir::Node node{"node", op, domain, {}, {"y"}, attributes};
    for (size_t i = 0; i < inputs.size(); ++i) {
      const std::string name = fmt::format("x{}", i);
      const PartialShape shape =
          dynamic ? PartialShape::of_rank(inputs[i].size()) : PartialShape(inputs[i]);
      g.inputs.push_back(Port{name, ValueType::tensor(ElementType::F32, shape)});
      node.inputs.push_back(name);
    }
    for (const auto& [name, value] : constants) {
      g.initializers.emplace(name, value);
      node.inputs.push_back(name);
    }
    g.outputs.push_back(Port{"y", ValueType{}});
    g.nodes.push_back(std::move(node));
    return Model(model);
  }
};

struct NodeRun {
  Tensor y;
  std::string exec_type;
};

/// `precision`: INFERENCE_PRECISION_HINT.
inline NodeRun run_node(const Model& model, const std::vector<Tensor>& inputs,
                        const std::string& precision = "f32") {
  CompiledModel compiled = Core().compile_model(
      model, "CPU",
      // Unknown dimensions stay unknown (no compile for the run's shapes): the reference runs.
      {{properties::kEnableProfiling, "YES"}, {properties::kInferencePrecisionHint, precision}, {properties::kShapeCacheCapacity, "0"}});
  InferRequest request = compiled.create_infer_request();
  for (size_t i = 0; i < inputs.size(); ++i) request.set_tensor(fmt::format("x{}", i), inputs[i]);
  request.infer();
  std::string exec_type;
  for (const ProfilingInfo& info : request.profiling_info())
    if (info.node_name == "node") exec_type = info.exec_type;
  return {request.get_tensor("y"), exec_type};
}

/// Inputs uniform in [lo, hi).
inline std::vector<Tensor> random_inputs(const NodeCase& c, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<Tensor> inputs;
  for (const Shape& s : c.inputs) {
    Tensor& x = inputs.emplace_back(ElementType::F32, s);
    for (float& v : x.span<float>()) v = d(rng);
  }
  return inputs;
}

/// Runs `c` both ways: the static model must take the kernel named `kernel` and agree with the
/// reference to within `abs_tol + rel_tol * |reference|` per element (NaNs where the reference
/// has NaN). `precision` (INFERENCE_PRECISION_HINT) applies to the static model's run.
inline void expect_matches_reference(const NodeCase& c, const std::vector<Tensor>& inputs,
                                     std::string_view kernel, float abs_tol, float rel_tol,
                                     const std::string& precision = "f32") {
  SCOPED_TRACE(c.describe() + " " + precision);
  const NodeRun got = run_node(c.model(false), inputs, precision);
  const NodeRun want = run_node(c.model(true), inputs);
  EXPECT_TRUE(got.exec_type.starts_with(kernel)) << "ran " << got.exec_type;
  EXPECT_EQ(want.exec_type, "reference");
  ASSERT_EQ(got.y.shape(), want.y.shape());
  auto g = got.y.span<const float>(), r = want.y.span<const float>();
  int reported = 0;
  for (size_t i = 0; i < r.size() && reported < 5; ++i) {
    if (g[i] == r[i]) continue;
    if (std::isnan(r[i]) ? std::isnan(g[i])
                         : std::fabs(g[i] - r[i]) <= abs_tol + rel_tol * std::fabs(r[i]))
      continue;
    ADD_FAILURE() << "at " << i << ": " << g[i] << " vs reference " << r[i];
    ++reported;
  }
}

/// The kernel the static model takes ("reference" where the oneDNN kernels decline).
inline std::string static_kernel(const NodeCase& c, const std::vector<Tensor>& inputs) {
  return run_node(c.model(false), inputs).exec_type;
}

}  // namespace tandem::testing
