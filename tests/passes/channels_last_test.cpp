// Laying out convolutions and pools channels-last: the images stay NHWC from the first Conv to the
// global pool, with one Transpose where they enter and one where they leave, and the model computes
// what it did (the ChannelsLast reference runs the inner op's); too few nodes keep the graph as it
// was.
#include <algorithm>
#include <filesystem>

#include "frontend/onnx/reader.h"
#include "ops/nn/fused_conv.h"
#include "passes/optimize.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::copy_of;
using testing::ModelBuilder;
using Ints = std::vector<int64_t>;

size_t count(const ir::Model& model, const std::string& op) {
  const auto ops = testing::op_types(model);
  return size_t(std::count(ops.begin(), ops.end(), op));
}

void expect_same_outputs(const ir::Model& before, const ir::Model& after, const Shape& x_shape, std::mt19937& rng) {
  const Tensor x = testing::random_tensor(x_shape, rng);
  const std::vector<Value> got = testing::run_reference(after, {x}), want = testing::run_reference(before, {x});
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) testing::expect_close(got[i].tensor(), want[i].tensor(), 1e-6f);
}

void conv(ModelBuilder& b, std::mt19937& rng, const std::string& in, const std::string& out, int64_t cin,
          int64_t cout, const std::string& tag) {
  b.initializer("w" + tag, testing::random_tensor({cout, cin, 3, 3}, rng, -0.3f, 0.3f));
  b.initializer("b" + tag, testing::random_tensor({cout}, rng));
  b.node("Conv", {in, "w" + tag, "b" + tag}, {out}, {{"pads", Ints{1, 1, 1, 1}}});
}

// A small ResNet: stem Conv, Relu, MaxPool; two residual blocks (Conv, Relu, Conv, Add, Relu), the
// second one's residual a FusedConv's Sum as fuse_conv makes it; GlobalAveragePool, Flatten.
std::shared_ptr<ir::Model> small_resnet(std::mt19937& rng) {
  ModelBuilder b;
  b.input("x", {2, 3, 12, 12}).output("y");
  conv(b, rng, "x", "stem", 3, 8, "0");
  b.node("Relu", {"stem"}, {"stem_relu"});
  b.node("MaxPool", {"stem_relu"}, {"pooled"}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  conv(b, rng, "pooled", "c1", 8, 8, "1");
  b.node("Relu", {"c1"}, {"r1"});
  conv(b, rng, "r1", "c2", 8, 8, "2");
  b.node("Add", {"c2", "pooled"}, {"s2"});
  b.node("Relu", {"s2"}, {"block1"});
  conv(b, rng, "block1", "c3", 8, 8, "3");
  b.node("Relu", {"c3"}, {"r3"});
  b.initializer("w4", testing::random_tensor({8, 8, 3, 3}, rng, -0.3f, 0.3f));
  b.node("FusedConv", {"r3", "w4", "", "block1"}, {"block2"}, {{"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  b.node("GlobalAveragePool", {"block2"}, {"gap"});
  b.node("Flatten", {"gap"}, {"y"});
  auto model = b.build();
  model->graph->nodes[10].domain = std::string(ops::kTandemDomain);
  model->opsets[std::string(ops::kTandemDomain)] = ops::kTandemOpset;
  return model;
}

TEST(ChannelsLast, ImagesStayChannelsLastBetweenTheConvolutions) {
  std::mt19937 rng(1);
  const auto before = small_resnet(rng);
  auto after = copy_of(*before);
  to_channels_last(*after);
  // Five convolutions and two pools laid out; the Relus and the Add between them work on NHWC.
  EXPECT_EQ(count(*after, "ChannelsLast"), 7u);
  EXPECT_EQ(count(*after, "Conv") + count(*after, "FusedConv") + count(*after, "MaxPool"), 0u);
  EXPECT_EQ(count(*after, "Transpose"), 2u);
  EXPECT_EQ(after->graph->nodes.front().op_type, "Transpose");
  EXPECT_EQ(after->graph->nodes.back().op_type, "Flatten");
  expect_same_outputs(*before, *after, {2, 3, 12, 12}, rng);
}

TEST(ChannelsLast, TooFewNodesToPayForTheTransposesStayAsTheyWere) {
  std::mt19937 rng(2);
  ModelBuilder b;
  b.input("x", {1, 4, 6, 6}).output("y");
  conv(b, rng, "x", "c", 4, 4, "0");
  b.node("Relu", {"c"}, {"y"});
  const auto before = b.build();
  auto after = copy_of(*before);
  to_channels_last(*after);
  EXPECT_EQ(testing::op_types(*after), testing::op_types(*before));
}

TEST(ChannelsLast, AGraphWithoutConvolutionsIsUntouched) {
  const auto before =
      ModelBuilder().input("x", {1, 4, 6, 6}).output("y").node("Relu", {"x"}, {"r"}).node("Sigmoid", {"r"}, {"y"}).build();
  auto after = copy_of(*before);
  to_channels_last(*after);
  ASSERT_EQ(after->graph->nodes.size(), before->graph->nodes.size());
  for (size_t i = 0; i < before->graph->nodes.size(); ++i) {
    EXPECT_EQ(after->graph->nodes[i].name, before->graph->nodes[i].name);
    EXPECT_EQ(after->graph->nodes[i].op_type, before->graph->nodes[i].op_type);
    EXPECT_EQ(after->graph->nodes[i].inputs, before->graph->nodes[i].inputs);
  }
}

TEST(ChannelsLast, UnequalPadsAndOtherRanksStay) {
  std::mt19937 rng(3);
  ModelBuilder b;
  b.input("x", {1, 4, 6, 6}).output("y").output("z");
  b.initializer("w", testing::random_tensor({4, 4, 3, 3}, rng));
  b.initializer("w1", testing::random_tensor({4, 4, 3}, rng));
  b.initializer("shape", Tensor::from<int64_t>({1, 4, 36}));
  for (int i = 0; i < 8; ++i)
    b.node("Conv", {i == 0 ? "x" : "u" + std::to_string(i - 1), "w"}, {"u" + std::to_string(i)},
           {{"auto_pad", std::string("SAME_UPPER")}});
  b.node("Identity", {"u7"}, {"y"});
  b.node("Reshape", {"x", "shape"}, {"flat"});
  b.node("Conv", {"flat", "w1"}, {"z"}, {{"pads", Ints{1, 1}}});
  const auto before = b.build();
  auto after = copy_of(*before);
  to_channels_last(*after);
  EXPECT_EQ(count(*after, "ChannelsLast"), 0u);
}

// The model tests' CNNs as the GPU lays them out in f16, run on the reference kernels: the same
// outputs as before, with Transposes only where the images enter and leave (SqueezeNet's Concats,
// EfficientNet's squeeze-and-excitation Muls and MobileNet's residual Adds between).
class ChannelsLastOnModels : public ::testing::TestWithParam<const char*> {};

TEST_P(ChannelsLastOnModels, ComputeWhatTheyDid) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "../../models" / (std::string(GetParam()) + ".onnx");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not made (scripts/make_models)";
  auto model = std::make_shared<ir::Model>(*onnx_frontend::read_model(path.lexically_normal().string()));
  model->graph = std::make_shared<ir::Graph>(*model->graph);
  Port& input = model->graph->inputs.at(0);
  input.type.shape = PartialShape(Shape{1, 3, 224, 224});
  const std::shared_ptr<const ir::Model> before = optimize(model);
  const std::shared_ptr<const ir::Model> after = channels_last(before);
  EXPECT_GT(count(*after, "ChannelsLast"), 25u);
  EXPECT_EQ(count(*after, "Transpose"), 2u);
  std::mt19937 rng(4);
  expect_same_outputs(*before, *after, {1, 3, 224, 224}, rng);
}

INSTANTIATE_TEST_SUITE_P(ModelTests, ChannelsLastOnModels,
                         ::testing::Values("squeezenet1_1", "mobilenet_v2", "efficientnet_b0", "resnet50"));

}  // namespace
}  // namespace tandem::passes
