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
#include "passes/optimize.h"

namespace tandem::gpu {
namespace {

class GpuSupportOnModels : public ::testing::TestWithParam<const char*> {};

TEST_P(GpuSupportOnModels, EveryNodeIsTaken) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "../../../../models" /
                    (std::string(GetParam()) + ".onnx");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not made (scripts/make_models)";
  const std::shared_ptr<const ir::Model> model =
      passes::optimize(onnx_frontend::read_model(path.lexically_normal().string()));
  const execution::GraphPlan plan(*model->graph, model->opsets, execution::OuterScope{}, model->path);
  std::vector<std::string> declined;
  for (const execution::Step& step : plan.steps()) {
    execution::NodeInfo info{*step.node, step.opset, {}, {}, step.output_types};
    for (int slot : step.inputs) {
      info.input_types.push_back(slot < 0 ? nullptr : &plan.slot_type(slot));
      const auto constant = plan.constants().find(slot);
      info.constants.push_back(constant == plan.constants().end() ? nullptr : &constant->second);
    }
    const devices::Support support = gpu_support(info);
    if (!support.ok) declined.push_back(step.node->op_type + " '" + step.node->name + "': " + support.reason);
  }
  EXPECT_TRUE(declined.empty()) << declined.size() << " declined, the first: " << declined.front();
}

INSTANTIATE_TEST_SUITE_P(ModelTests, GpuSupportOnModels,
                         ::testing::Values("squeezenet1_1", "mobilenet_v2", "efficientnet_b0", "resnet50",
                                           "bert_base", "vit_b_16"));

}  // namespace
}  // namespace tandem::gpu
