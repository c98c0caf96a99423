// The GPU's judges on the model tests' models as the passes leave them (fused convolutions and
// linear layers, attention, layer norms): every node the GPU is meant to run, it takes. Built
// and run in every build, so that a judge which declines a model's node is caught without a GPU.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "devices/gpu/support/op_support.h"
#include "execution/graph_plan.h"
#include "frontend/onnx/reader.h"
#include "ops/nn/channels_last.h"
#include "passes/optimize.h"

namespace tandem::gpu {
namespace {

class GpuSupportOnModels : public ::testing::TestWithParam<const char*> {};

std::shared_ptr<const ir::Model> optimized(const char* name) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "../../../../models" / (std::string(name) + ".onnx");
  if (!std::filesystem::exists(path)) return nullptr;
  auto model = std::make_shared<ir::Model>(*onnx_frontend::read_model(path.lexically_normal().string()));
  // Batch 1 where the batch is dynamic, as `tandem run` and `bench` fix it for the GPU.
  model->graph = std::make_shared<ir::Graph>(*model->graph);
  for (Port& input : model->graph->inputs) {
    std::vector<Dimension> dims = input.type.shape.dims();
    for (Dimension& d : dims)
      if (!d.is_static()) d = Dimension(1);
    input.type.shape = PartialShape(dims);
  }
  return passes::optimize(model);
}

Shape channels_first(const Shape& nhwc) { return {nhwc[0], nhwc[3], nhwc[1], nhwc[2]}; }

// Every step of `model` the GPU's judges decline, as "Op 'name': reason". A ChannelsLast node is
// judged as its inner node, on its images laid out channels-first again, as the kernel registry
// makes it.
std::vector<std::string> declined_steps(const ir::Model& model) {
  const execution::GraphPlan plan(*model.graph, model.opsets, execution::OuterScope{}, model.path);
  std::vector<std::string> declined;
  for (const execution::Step& step : plan.steps()) {
    std::vector<ValueType> inputs;
    std::vector<const Value*> constants;
    for (int slot : step.inputs) {
      inputs.push_back(slot < 0 ? ValueType{} : plan.slot_type(slot));
      const auto constant = plan.constants().find(slot);
      constants.push_back(constant == plan.constants().end() ? nullptr : &constant->second);
    }
    std::vector<ValueType> outputs = step.output_types;
    ir::Node node = *step.node;
    int opset = step.opset;
    if (node.op_type == ops::kChannelsLastOp) {
      const ops::NodeContext ctx(*step.node, step.opset);
      const ops::InnerNode inner = ops::channels_last_inner(ctx);
      for (int64_t i : ops::channels_last_images(ctx))
        inputs[size_t(i)].shape = PartialShape(channels_first(inputs[size_t(i)].shape.to_shape()));
      outputs[0].shape = PartialShape(channels_first(outputs[0].shape.to_shape()));
      node = inner.node;
      opset = inner.opset;
    }
    execution::NodeInfo info{node, opset, {}, constants, outputs};
    for (size_t i = 0; i < inputs.size(); ++i) info.input_types.push_back(step.inputs[i] < 0 ? nullptr : &inputs[i]);
    const devices::Support support = gpu_support(info);
    if (!support.ok) declined.push_back(node.op_type + " '" + node.name + "': " + support.reason);
  }
  return declined;
}

TEST_P(GpuSupportOnModels, EveryNodeIsTaken) {
  const std::shared_ptr<const ir::Model> model = optimized(GetParam());
  if (!model) GTEST_SKIP() << GetParam() << " not made (scripts/make_models)";
  const std::vector<std::string> declined = declined_steps(*model);
  EXPECT_TRUE(declined.empty()) << declined.size() << " declined, the first: " << declined.front();
}

// In f16 the GPU lays convolutions and pools out channels-last (passes/channels_last.h): the
// Transposes, the re-laid constants and the Concats along the last axis that leaves are taken too.
TEST_P(GpuSupportOnModels, EveryNodeLaidOutChannelsLastIsTaken) {
  const std::shared_ptr<const ir::Model> model = optimized(GetParam());
  if (!model) GTEST_SKIP() << GetParam() << " not made (scripts/make_models)";
  const std::vector<std::string> declined = declined_steps(*passes::channels_last(model));
  EXPECT_TRUE(declined.empty()) << declined.size() << " declined, the first: " << declined.front();
}

INSTANTIATE_TEST_SUITE_P(ModelTests, GpuSupportOnModels,
                         ::testing::Values("squeezenet1_1", "mobilenet_v2", "efficientnet_b0", "resnet50",
                                           "bert_base", "vit_b_16"));

}  // namespace
}  // namespace tandem::gpu
