// Helpers of the VNPU tests: small models built in memory, run through the device seam on the VNPU
// and on the CPU, and the FP16 tolerance their outputs are compared with.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "devices/cpu/device.h"
#include "devices/device.h"
#include "devices/vnpu/device.h"
#include "execution/graph_plan.h"
#include "ir/graph.h"

namespace tandem::vnpu::testing {

/// A model under construction: graph inputs (activations) and initializers, nodes, outputs.
class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 17) : model_(std::make_shared<ir::Model>()) {
    model_->graph = std::make_shared<ir::Graph>();
    model_->graph->name = "vnpu_test";
    model_->opsets[""] = opset;
  }
  ModelBuilder& import(const std::string& domain, int version) {
    model_->opsets[domain] = version;
    return *this;
  }
  ModelBuilder& input(const std::string& name, ElementType type, PartialShape shape) {
    model_->graph->inputs.push_back(Port{name, ValueType::tensor(type, std::move(shape))});
    return *this;
  }
  ModelBuilder& constant(const std::string& name, Tensor value) {
    model_->graph->initializers[name] = std::move(value);
    return *this;
  }
  ModelBuilder& node(ir::Node node) {
    model_->graph->nodes.push_back(std::move(node));
    return *this;
  }
  /// An output of logical type `type` (its shape left to inference).
  ModelBuilder& output(const std::string& name, ElementType type = ElementType::F32) {
    model_->graph->outputs.push_back(Port{name, ValueType::tensor(type, PartialShape())});
    return *this;
  }
  std::shared_ptr<const ir::Model> build() const { return model_; }

 private:
  std::shared_ptr<ir::Model> model_;
};

inline Tensor random_f32(const Shape& shape, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(ElementType::F32, shape);
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

template <class T>
Tensor random_int(const Shape& shape, std::mt19937& rng, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  Tensor t(element_type_of<T>(), shape);
  for (T& v : t.span<T>()) v = T(d(rng));
  return t;
}

/// Compiles `model` on `device` and runs it on host `inputs`: copied in, run, copied back as the
/// outputs' declared types. With `profile`, the run's records are appended there.
inline std::vector<Tensor> run_on(const devices::Device& device,
                                  std::shared_ptr<const ir::Model> model,
                                  const std::vector<Tensor>& inputs,
                                  std::vector<ProfilingInfo>* profile = nullptr) {
  auto executable = device.compile(model, devices::CompileOptions{});
  std::vector<Value> on_device;
  for (const Tensor& t : inputs) on_device.push_back(device.copy_to_device(Value(t)));
  std::vector<Value> outputs = executable->run(std::move(on_device), profile);
  std::vector<Tensor> host;
  for (size_t i = 0; i < outputs.size(); ++i)
    host.push_back(device.copy_to_host(outputs[i], model->graph->outputs[i].type).tensor());
  return host;
}

/// The VNPU's answer for node `name` of `model`, asked with what planning the whole model inferred,
/// as placement asks it.
inline devices::Support ask_vnpu(const ir::Model& model, const std::string& name) {
  execution::GraphPlan plan(*model.graph, model.opsets, execution::OuterScope{}, "");
  for (const execution::Step& step : plan.steps()) {
    if (step.node->name != name) continue;
    execution::NodeInfo info{*step.node, step.opset, {}, {}, step.output_types};
    for (int slot : step.inputs) {
      info.input_types.push_back(slot < 0 ? nullptr : &plan.slot_type(slot));
      auto constant = plan.constants().find(slot);
      info.constants.push_back(constant == plan.constants().end() ? nullptr : &constant->second);
    }
    return vnpu_device().supports(info);
  }
  ADD_FAILURE() << "no step runs node '" << name << "' (folded at compile time?)";
  return {};
}

/// FP16 tolerance: cosine similarity >= 0.999 and the largest error within 1e-2 of the largest
/// magnitude (a per-element relative error is meaningless near zero). Integer outputs may differ by
/// one step where an input's rounding to f16 crossed a rounding boundary.
inline void expect_fp16_close(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.element_type(), want.element_type());
  ASSERT_EQ(got.shape(), want.shape());
  const std::vector<double> g = got.to_double(), w = want.to_double();
  if (!is_floating_type(want.element_type())) {
    for (size_t i = 0; i < w.size(); ++i) ASSERT_LE(std::fabs(g[i] - w[i]), 1.0) << "at " << i;
    return;
  }
  double dot = 0, gg = 0, ww = 0, max_error = 0, max_magnitude = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    dot += g[i] * w[i];
    gg += g[i] * g[i];
    ww += w[i] * w[i];
    max_error = std::max(max_error, std::fabs(g[i] - w[i]));
    max_magnitude = std::max(max_magnitude, std::fabs(w[i]));
  }
  if (ww == 0) {
    EXPECT_EQ(max_error, 0.0);
    return;
  }
  EXPECT_GE(dot / std::sqrt(gg * ww), 0.999);
  EXPECT_LE(max_error, 1e-2 * max_magnitude)
      << "largest error " << max_error << ", largest |value| " << max_magnitude;
}

}  // namespace tandem::vnpu::testing
