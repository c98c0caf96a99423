// The GPU's elementwise kernels against the ops' CPU kernels, on random data, in f32, f16, bf16.
#include "devices/gpu/cuda/kernels/elementwise.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "devices/gpu/cuda/gpu_test_util.h"
#include "devices/gpu/cuda/kernel_case.h"

namespace tandem::gpu {
namespace {

using testing::KernelCase;

constexpr ElementType kComputeTypes[] = {ElementType::F32, ElementType::F16, ElementType::BF16};

class GpuElementwise : public ::testing::TestWithParam<ElementType> {
 protected:
  void SetUp() override {
    if (!testing::gpu_present()) GTEST_SKIP() << "no GPU";
  }
};

TEST_P(GpuElementwise, BinaryOpsBroadcastLikeNumpy) {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{2, 3, 64}, {2, 3, 64}},     // same shape: the flat, vectorised path
      {{1000}, {1000}},             // same shape, not a multiple of the vector
      {{4, 5, 768}, {768}},         // per-row bias
      {{2, 8, 7, 7}, {1, 8, 1, 1}}, // per-channel
      {{3, 1, 5}, {1, 4, 1}},       // both broadcast
      {{6, 9}, {}},                 // scalar second operand
      {{1}, {3, 2, 4, 5, 2, 3}},    // a single element first operand, rank 6
  };
  for (const char* op : {"Add", "Sub", "Mul", "Div"})
    for (const auto& [a, b] : shapes) {
      SCOPED_TRACE(std::string(op) + " " + to_string(a) + " " + to_string(b));
      KernelCase c(op, 14);
      c.random(a);
      if (std::string(op) == "Div")
        c.random(b, 0.5f, 2.0f);  // away from zero
      else
        c.random(b);
      c.expect_matches(make_elementwise_kernel, GetParam());
    }
}

TEST_P(GpuElementwise, BinaryOpsReadConstantOperands) {
  KernelCase("Add", 14).random({4, 16}).random_constant({16}).expect_matches(make_elementwise_kernel, GetParam());
  KernelCase("Sub", 14).random_constant({}).random({4, 16}).expect_matches(make_elementwise_kernel, GetParam());
}

TEST_P(GpuElementwise, PowByConstantAndByTensor) {
  KernelCase("Pow", 15).random({3, 33}, 0.1f, 3.0f).constant(Tensor::scalar<float>(2.0f))
      .expect_matches(make_elementwise_kernel, GetParam(), 1e-5);
  KernelCase("Pow", 15).random({3, 33}, 0.1f, 3.0f).constant(Tensor::scalar<int64_t>(3))
      .expect_matches(make_elementwise_kernel, GetParam(), 1e-5);
  KernelCase("Pow", 15).random({3, 33}, 0.1f, 3.0f).random({33}, -1.5f, 1.5f)
      .expect_matches(make_elementwise_kernel, GetParam(), 1e-5);
}

TEST_P(GpuElementwise, UnaryOpsMatchTheReference) {
  struct Case {
    const char* op;
    int opset;
    float lo, hi;
  };
  const Case cases[] = {{"Relu", 14, -2, 2},     {"Sigmoid", 13, -8, 8},   {"Tanh", 13, -4, 4},
                        {"Erf", 13, -3, 3},      {"Gelu", 20, -4, 4},      {"Exp", 13, -4, 4},
                        {"Log", 13, 0.1f, 5},    {"Sqrt", 13, 0.1f, 5},    {"Neg", 13, -2, 2},
                        {"Abs", 13, -2, 2},      {"Reciprocal", 13, 0.5f, 4},
                        {"HardSwish", 14, -5, 5}, {"Softplus", 1, -10, 10}, {"LeakyRelu", 16, -2, 2},
                        {"Elu", 6, -3, 3},       {"HardSigmoid", 6, -4, 4}};
  for (const Case& u : cases)
    for (const Shape& shape : {Shape{2, 5, 64}, Shape{77}}) {
      SCOPED_TRACE(std::string(u.op) + " " + to_string(shape));
      KernelCase(u.op, u.opset).random(shape, u.lo, u.hi)
          .expect_matches(make_elementwise_kernel, GetParam(), 1e-5);
    }
}

TEST_P(GpuElementwise, ActivationAttributes) {
  KernelCase("LeakyRelu", 16).attr("alpha", 0.2f).random({100})
      .expect_matches(make_elementwise_kernel, GetParam());
  KernelCase("Elu", 6).attr("alpha", 0.5f).random({100}).expect_matches(make_elementwise_kernel, GetParam());
  KernelCase("HardSigmoid", 6).attr("alpha", 0.3f).attr("beta", 0.4f).random({100})
      .expect_matches(make_elementwise_kernel, GetParam());
  KernelCase("Gelu", 20).attr("approximate", std::string("tanh")).random({300}, -4, 4)
      .expect_matches(make_elementwise_kernel, GetParam());
  KernelCase("Gelu", 1, "com.tandem").random({300}, -4, 4)
      .expect_matches(make_elementwise_kernel, GetParam());
}

TEST_P(GpuElementwise, ClipFromAttributesAndConstants) {
  KernelCase("Clip", 6).attr("min", -0.5f).attr("max", 0.75f).random({4, 50})
      .expect_matches(make_elementwise_kernel, GetParam());
  KernelCase("Clip", 13).random({4, 50}).constant(Tensor::scalar<float>(0.0f))
      .constant(Tensor::scalar<float>(6.0f)).expect_matches(make_elementwise_kernel, GetParam());
}

INSTANTIATE_TEST_SUITE_P(ComputeTypes, GpuElementwise, ::testing::ValuesIn(kComputeTypes),
                         [](const auto& info) { return std::string(to_string(info.param)); });

class GpuCast : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::gpu_present()) GTEST_SKIP() << "no GPU";
  }
};

TEST_F(GpuCast, ConvertsAmongFloatTypes) {
  for (const ElementType to : {ElementType::F16, ElementType::BF16}) {
    SCOPED_TRACE(std::string(to_string(to)));
    // Cast-19 rounds to bfloat16 to nearest even, as the device does.
    KernelCase("Cast", 19).attr("to", int64_t(to)).random({2, 129})
        .expect_matches(make_elementwise_kernel, ElementType::F32);
  }
  // An f32 -> f32 Cast on f16 storage is a copy.
  KernelCase("Cast", 13).attr("to", int64_t(ElementType::F32)).random({3, 7})
      .expect_matches(make_elementwise_kernel, ElementType::F16);
}

TEST_F(GpuCast, ConvertsIntegersAndBools) {
  KernelCase("Cast", 13).attr("to", int64_t(ElementType::F32))
      .input(Tensor::from<int64_t>({0, 1, -3, 1000, 7, 1}, {2, 3}))
      .expect_matches(make_elementwise_kernel, ElementType::F16);
  KernelCase("Cast", 13).attr("to", int64_t(ElementType::I64))
      .input(Tensor::from<float>({0.5f, -1.75f, 3.0f, 2.9f}, {4}))
      .expect_matches(make_elementwise_kernel, ElementType::F32);
  KernelCase("Cast", 13).attr("to", int64_t(ElementType::F32))
      .input(Tensor::from<bool>({true, false, true}, {3}))
      .expect_matches(make_elementwise_kernel, ElementType::F32);
}

TEST_F(GpuCast, NotItsFamilyGivesNull) {
  ir::Node node;
  node.op_type = "MatMul";
  GpuNode gpu{.node = node, .opset = 13};
  EXPECT_EQ(make_elementwise_kernel(gpu), nullptr);
}

}  // namespace
}  // namespace tandem::gpu
