// The judges of the GPU's elementwise, normalization and data-movement kernels: which nodes they
// take, which they decline (with a reason), and that other families' ops are left to others.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "devices/gpu/support/judge_case.h"
#include "devices/gpu/support/op_support.h"

namespace tandem::gpu {
namespace {

// A node with its inputs' types (constants' values where given) and outputs' types, judged as
// the planner would.
class Judged {
 public:
  Judged(std::string op, int opset, std::string domain = "") : opset_(opset) {
    node_.name = "n";
    node_.op_type = std::move(op);
    node_.domain = std::move(domain);
  }
  Judged& input(ElementType type, Shape shape) {
    node_.inputs.push_back("x" + std::to_string(inputs_.size()));
    inputs_.push_back(ValueType::tensor(type, PartialShape(shape)));
    constants_.emplace_back();
    return *this;
  }
  Judged& constant(Tensor value) {
    input(value.element_type(), value.shape());
    constants_.back() = Value(std::move(value));
    return *this;
  }
  Judged& output(ElementType type, Shape shape) {
    node_.outputs.push_back("y" + std::to_string(outputs_.size()));
    outputs_.push_back(ValueType::tensor(type, PartialShape(shape)));
    return *this;
  }
  Judged& attr(const std::string& name, ir::Attribute value) {
    node_.attributes[name] = std::move(value);
    return *this;
  }
  std::optional<devices::Support> by(std::optional<devices::Support> (*judge)(
      const execution::NodeInfo&)) const {
    execution::NodeInfo info{node_, opset_, {}, {}, outputs_};
    for (size_t i = 0; i < inputs_.size(); ++i) {
      info.input_types.push_back(&inputs_[i]);
      info.constants.push_back(constants_[i] ? &*constants_[i] : nullptr);
    }
    return judge(info);
  }

 private:
  ir::Node node_;
  int opset_;
  std::vector<ValueType> inputs_;
  std::vector<std::optional<Value>> constants_;
  std::vector<ValueType> outputs_;
};

constexpr auto F32 = ElementType::F32;
constexpr auto F16 = ElementType::F16;
constexpr auto I64 = ElementType::I64;

using testing::expect_no;
using testing::expect_yes;

TEST(GpuElementwiseSupport, TakesBroadcastArithmeticAndActivations) {
  expect_yes(Judged("Add", 14).input(F32, {2, 3, 8}).input(F32, {8}).output(F32, {2, 3, 8})
                 .by(elementwise_support));
  expect_yes(Judged("Mul", 13).input(F16, {1, 4}).input(F16, {3, 1}).output(F16, {3, 4})
                 .by(elementwise_support));
  expect_yes(Judged("Relu", 14).input(F32, {5}).output(F32, {5}).by(elementwise_support));
  expect_yes(Judged("Gelu", 20).attr("approximate", std::string("tanh")).input(F32, {5})
                 .output(F32, {5}).by(elementwise_support));
  expect_yes(Judged("Gelu", 1, "com.tandem").input(F32, {5}).output(F32, {5})
                 .by(elementwise_support));
  expect_yes(Judged("Pow", 15).input(F32, {4}).constant(Tensor::scalar<int64_t>(2))
                 .output(F32, {4}).by(elementwise_support));
  expect_yes(Judged("Cast", 13).input(I64, {1, 7}).output(F32, {1, 7}).by(elementwise_support));
}

TEST(GpuElementwiseSupport, DeclinesWhatItCannotRun) {
  expect_no(Judged("Add", 14).input(ElementType::F64, {2}).input(ElementType::F64, {2})
                .output(ElementType::F64, {2}).by(elementwise_support),
            "f64");
  expect_no(Judged("Add", 14).input(I64, {2}).input(I64, {2}).output(I64, {2})
                .by(elementwise_support),
            "i64");
  expect_no(Judged("Add", 6).attr("broadcast", int64_t(1)).input(F32, {2, 3}).input(F32, {3})
                .output(F32, {2, 3}).by(elementwise_support),
            "legacy broadcast");
  expect_no(Judged("Clip", 13).input(F32, {4}).input(F32, {}).output(F32, {4})
                .by(elementwise_support),
            "not a constant");
  expect_no(Judged("Gelu", 20).attr("approximate", std::string("cubic")).input(F32, {5})
                .output(F32, {5}).by(elementwise_support),
            "approximate");
  expect_no(Judged("Cast", 13).input(F32, {3}).output(ElementType::String, {3})
                .by(elementwise_support),
            "Cast from f32 to string");
}

TEST(GpuElementwiseSupport, LeavesOtherOpsToOtherFamilies) {
  EXPECT_FALSE(Judged("MatMul", 13).input(F32, {2, 2}).input(F32, {2, 2}).output(F32, {2, 2})
                   .by(elementwise_support));
  EXPECT_FALSE(Judged("Relu", 1, "com.example").input(F32, {2}).output(F32, {2})
                   .by(elementwise_support));
}

TEST(GpuNormalizationSupport, TakesLayerNormSoftmaxAndReductions) {
  expect_yes(Judged("LayerNormalization", 17).input(F32, {2, 5, 8})
                 .constant(Tensor::from<float>(std::vector<float>(8, 1.0f)))
                 .constant(Tensor::from<float>(std::vector<float>(8, 0.0f)))
                 .output(F32, {2, 5, 8}).by(normalization_support));
  expect_yes(Judged("Softmax", 11).attr("axis", int64_t(1)).input(F32, {2, 3, 4})
                 .output(F32, {2, 3, 4}).by(normalization_support));
  expect_yes(Judged("ReduceMean", 13).attr("axes", std::vector<int64_t>{2, 3})
                 .input(F32, {1, 8, 4, 4}).output(F32, {1, 8, 1, 1}).by(normalization_support));
  expect_yes(Judged("ReduceMean", 18).input(F32, {2, 3, 4})
                 .constant(Tensor::from<int64_t>({1})).output(F32, {2, 1, 4})
                 .by(normalization_support));
}

TEST(GpuNormalizationSupport, DeclinesWhatItCannotRun) {
  expect_no(Judged("LayerNormalization", 17).input(F32, {2, 8}).input(F32, {8})
                .output(F32, {2, 8}).by(normalization_support),
            "not a constant");
  expect_no(Judged("ReduceMean", 13).attr("axes", std::vector<int64_t>{0, 2})
                .input(F32, {2, 3, 4}).output(F32, {1, 3, 1}).by(normalization_support),
            "not contiguous");
  expect_no(Judged("ReduceMean", 18).input(F32, {2, 3}).input(I64, {1}).output(F32, {2, 1})
                .by(normalization_support),
            "not a constant");
  const auto c = [] { return Tensor::from<float>({1.0f, 1.0f}); };
  expect_no(Judged("BatchNormalization", 15).attr("training_mode", int64_t(1))
                .input(F32, {1, 2, 3, 3}).constant(c()).constant(c()).constant(c()).constant(c())
                .output(F32, {1, 2, 3, 3}).by(normalization_support),
            "training");
  EXPECT_FALSE(Judged("Relu", 14).input(F32, {2}).output(F32, {2}).by(normalization_support));
}

TEST(GpuDataMovementSupport, TakesCopiesAndDeclinesStrings) {
  expect_yes(Judged("Gather", 13).constant(Tensor::from<float>(std::vector<float>(12, 0.5f), {4, 3}))
                 .input(I64, {1, 5}).output(F32, {1, 5, 3}).by(data_movement_support));
  expect_yes(Judged("Transpose", 13).attr("perm", std::vector<int64_t>{0, 2, 1, 3})
                 .input(F16, {1, 4, 2, 8}).output(F16, {1, 2, 4, 8}).by(data_movement_support));
  expect_yes(Judged("Reshape", 14).input(I64, {6}).constant(Tensor::from<int64_t>({2, 3}))
                 .output(I64, {2, 3}).by(data_movement_support));
  expect_no(Judged("Concat", 13).attr("axis", int64_t(0)).input(ElementType::String, {1})
                .input(ElementType::String, {1}).output(ElementType::String, {2})
                .by(data_movement_support),
            "string");
  expect_no(Judged("Slice", 13).input(F32, {8}).input(I64, {1}).constant(Tensor::from<int64_t>({4}))
                .output(F32, {4}).by(data_movement_support),
            "not a constant");
  expect_no(Judged("Gather", 13).input(F32, {4, 3}).input(ElementType::F32, {2})
                .output(F32, {2, 3}).by(data_movement_support),
            "indices");
  EXPECT_FALSE(Judged("Add", 14).input(F32, {2}).input(F32, {2}).output(F32, {2})
                   .by(data_movement_support));
}

}  // namespace
}  // namespace tandem::gpu
