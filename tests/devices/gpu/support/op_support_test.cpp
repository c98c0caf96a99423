// The GPU's placement judgments shared by every op, decided on the CPU in every build.
#include "devices/gpu/support/op_support.h"

#include <gtest/gtest.h>

namespace tandem::gpu {
namespace {

TEST(GpuSupport, NeedsStaticShapes) {
  const ir::Node relu{.name = "relu", .op_type = "Relu", .inputs = {"x"}, .outputs = {"y"}};
  const ValueType dynamic = ValueType::tensor(ElementType::F32, PartialShape({Dimension(), Dimension(8)}));
  const devices::Support support = gpu_support(
      execution::NodeInfo{.node = relu, .opset = 14, .input_types = {&dynamic}, .constants = {nullptr},
                          .output_types = {dynamic}});
  EXPECT_FALSE(support.ok);
  EXPECT_EQ(support.reason, "input 0 has a dynamic shape");
}

TEST(GpuSupport, NamesAnOpWithoutAKernel) {
  const ir::Node sin{.name = "sin", .op_type = "Sin", .inputs = {"x"}, .outputs = {"y"}};
  const ValueType x = ValueType::tensor(ElementType::F32, PartialShape({2, 8}));
  const devices::Support support = gpu_support(
      execution::NodeInfo{.node = sin, .opset = 14, .input_types = {&x}, .constants = {nullptr}, .output_types = {x}});
  EXPECT_FALSE(support.ok);
  EXPECT_EQ(support.reason, "no GPU kernel for Sin");
}

}  // namespace
}  // namespace tandem::gpu
