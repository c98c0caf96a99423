// The VNPU's identity and its answers to "can you run this node?", each no with its reason.
#include "devices/vnpu/device.h"

#include <gtest/gtest.h>

#include "devices/registry.h"
#include "devices/vnpu/vnpu_test_util.h"

namespace tandem::vnpu {
namespace {

using testing::ask_vnpu;
using testing::ModelBuilder;

TEST(VnpuDevice, SaysItIsAVirtualDevice) {
  const devices::DeviceInfo info = vnpu_device().info();
  EXPECT_EQ(info.name, "VNPU");
  EXPECT_TRUE(info.is_virtual);
  EXPECT_NE(info.full_name.find("virtual NPU"), std::string::npos);
  EXPECT_NE(info.full_name.find("not an accelerator"), std::string::npos);
  EXPECT_FALSE(info.dynamic_shapes);
  EXPECT_EQ(info.precisions, (std::vector<std::string>{"f16", "int8"}));
  EXPECT_NE(info.memory.find("1 GiB"), std::string::npos);
  EXPECT_EQ(info.throughput_streams, 1);
  EXPECT_FALSE(vnpu_device().shares_host_memory());
}

TEST(VnpuDevice, IsAlwaysAvailable) {
  const devices::Diagnosis d = vnpu_device().diagnose();
  EXPECT_TRUE(d.available());
  EXPECT_EQ(d.summary(), "VNPU: available");
}

TEST(VnpuDevice, IsBuiltInBeforeTheCpu) {
  EXPECT_EQ(devices::find_device("VNPU"), &vnpu_device());
  const auto& all = devices::all_devices();
  const auto vnpu = std::find(all.begin(), all.end(), &vnpu_device());
  const auto cpu = std::find(all.begin(), all.end(), devices::find_device("CPU"));
  EXPECT_LT(vnpu, cpu);
}

TEST(VnpuSupports, ConvWithConstantWeights) {
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, {1, 3, 8, 8})
                   .constant("w", Tensor(ElementType::F32, {4, 3, 3, 3}))
                   .node({"conv", "Conv", "", {"x", "w"}, {"y"}, {}})
                   .output("y")
                   .build();
  const devices::Support answer = ask_vnpu(*model, "conv");
  EXPECT_TRUE(answer.ok) << answer.reason;
}

TEST(VnpuSupports, RefusesDynamicShapesAndSaysToReshape) {
  PartialShape dynamic(std::vector<Dimension>{Dimension(), 3, 224, 224});
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, dynamic)
                   .constant("w", Tensor(ElementType::F32, {4, 3, 3, 3}))
                   .node({"conv", "Conv", "", {"x", "w"}, {"y"}, {}})
                   .output("y")
                   .build();
  const devices::Support answer = ask_vnpu(*model, "conv");
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(
      answer.reason,
      "VNPU needs static shapes; input 0 of 'conv' is f32[?,3,224,224]: reshape the model first");
}

TEST(VnpuSupports, RefusesTopKAsOutsideTheNpuOpSet) {
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, {10})
                   .constant("k", Tensor::from<int64_t>({3}))
                   .node({"topk", "TopK", "", {"x", "k"}, {"values", "indices"}, {}})
                   .output("values")
                   .build();
  const devices::Support answer = ask_vnpu(*model, "topk");
  EXPECT_FALSE(answer.ok);
  EXPECT_NE(answer.reason.find("VNPU does not run TopK: it is not in the NPU op set"),
            std::string::npos)
      << answer.reason;
}

TEST(VnpuSupports, RefusesInt64Outputs) {
  ir::Node cast{"cast", "Cast", "", {"x"}, {"y"}, {}};
  cast.attributes["to"] = int64_t(ElementType::I64);
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, {3})
                   .node(cast)
                   .output("y", ElementType::I64)
                   .build();
  const devices::Support answer = ask_vnpu(*model, "cast");
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.reason, "VNPU has no int64 arithmetic: output 0 of 'cast' is i64[3]");
}

TEST(VnpuSupports, RefusesInt64ComputedInputsButTakesConstantOnes) {
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, {2, 6})
                   .input("dynamic_shape", ElementType::I64, {2})
                   .constant("shape", Tensor::from<int64_t>({3, 4}))
                   .node({"fixed", "Reshape", "", {"x", "shape"}, {"y"}, {}})
                   .node({"computed", "Reshape", "", {"x", "dynamic_shape"}, {"z"}, {}})
                   .output("y")
                   .output("z")
                   .build();
  EXPECT_TRUE(ask_vnpu(*model, "fixed").ok);
  const devices::Support answer = ask_vnpu(*model, "computed");
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.reason, "VNPU has no int64 arithmetic: input 1 of 'computed' is i64[2]");
}

TEST(VnpuSupports, RefusesControlFlow) {
  ir::Node loop{"loop", "Loop", "", {"", "", "v"}, {"out"}, {}};
  loop.attributes["body"] = ir::GraphPtr(std::make_shared<ir::Graph>());
  const ValueType scalar =
      ValueType::tensor(ElementType::F32, PartialShape(std::vector<int64_t>{}));
  execution::NodeInfo info{
      loop, 17, {nullptr, nullptr, &scalar}, {nullptr, nullptr, nullptr}, {scalar}};
  const devices::Support answer = vnpu_device().supports(info);
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.reason, "VNPU runs no control flow or subgraphs (Loop 'loop')");
}

TEST(VnpuSupports, RunsPowOnlyWithAConstantExponent) {
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, {4})
                   .input("e", ElementType::F32, {4})
                   .constant("two", Tensor::scalar<float>(2.0f))
                   .node({"square", "Pow", "", {"x", "two"}, {"y"}, {}})
                   .node({"power", "Pow", "", {"x", "e"}, {"z"}, {}})
                   .output("y")
                   .output("z")
                   .build();
  EXPECT_TRUE(ask_vnpu(*model, "square").ok);
  const devices::Support answer = ask_vnpu(*model, "power");
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.reason,
            "VNPU runs Pow only with input 1 known at compile time; in 'power' it is computed");
}

TEST(VnpuSupports, RefusesOtherDomainsAndWideTypes) {
  auto model = ModelBuilder()
                   .input("x", ElementType::F64, {4})
                   .node({"relu", "Relu", "", {"x"}, {"y"}, {}})
                   .output("y", ElementType::F64)
                   .build();
  const devices::Support answer = ask_vnpu(*model, "relu");
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.reason, "VNPU computes in f16 and int8: input 0 of 'relu' is f64[4]");

  ir::Node custom{"custom", "Relu", "com.example", {"x"}, {"y"}, {}};
  const ValueType type = ValueType::tensor(ElementType::F32, PartialShape({4}));
  execution::NodeInfo info{custom, 1, {&type}, {nullptr}, {type}};
  EXPECT_NE(vnpu_device().supports(info).reason.find("VNPU does not run com.example:Relu"),
            std::string::npos);
}

TEST(VnpuDevice, CountsF32TransfersAtF16Size) {
  const ValueType image = ValueType::tensor(ElementType::F32, PartialShape({1, 3, 224, 224}));
  EXPECT_EQ(vnpu_device().device_bytes(image), size_t(3 * 224 * 224 * 2));
  const ValueType bytes = ValueType::tensor(ElementType::U8, PartialShape({10}));
  EXPECT_EQ(vnpu_device().device_bytes(bytes), size_t(10));
}

}  // namespace
}  // namespace tandem::vnpu
