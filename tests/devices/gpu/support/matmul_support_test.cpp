// matmul_support: which MatMul, Gemm and FusedMatMul nodes the GPU takes, and the reasons it
// gives for the others.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "devices/gpu/support/judge_case.h"
#include "devices/gpu/support/op_support.h"

namespace tandem::gpu {
namespace {

// A node and the types the planner inferred for its inputs ("" names an omitted input).
struct Case {
  ir::Node node;
  int opset = 13;
  std::vector<ValueType> types;

  Case(std::string op, std::string domain = "") {
    node.op_type = std::move(op);
    node.domain = std::move(domain);
    node.outputs = {"y"};
  }
  Case& input(const Shape& shape, ElementType type = ElementType::F32) {
    node.inputs.push_back(fmt::format("x{}", node.inputs.size()));
    types.push_back(ValueType::tensor(type, PartialShape(shape)));
    return *this;
  }
  Case& attr(const std::string& name, ir::Attribute value) {
    node.attributes[name] = std::move(value);
    return *this;
  }
  std::optional<devices::Support> judge() const {
    std::vector<const ValueType*> inputs;
    for (const ValueType& t : types) inputs.push_back(&t);
    const execution::NodeInfo info{
        node, opset, inputs, std::vector<const Value*>(inputs.size(), nullptr), {}};
    return matmul_support(info);
  }
};

void expect_yes(const Case& c) { testing::expect_yes(c.judge()); }

void expect_no(const Case& c, const std::string& reason) { testing::expect_no(c.judge(), reason); }

TEST(GpuMatMulSupport, OtherOpsAreNotItsFamily) {
  EXPECT_FALSE(Case("Add").input({2}).input({2}).judge().has_value());
  EXPECT_FALSE(Case("MatMulInteger")
                   .input({2, 2}, ElementType::U8)
                   .input({2, 2}, ElementType::U8)
                   .judge()
                   .has_value());
  EXPECT_FALSE(Case("MatMul", "com.example").input({2, 2}).input({2, 2}).judge().has_value());
}

TEST(GpuMatMulSupport, MatMulOfFloats) {
  expect_yes(Case("MatMul").input({1, 128, 768}).input({768, 3072}));
  expect_yes(Case("MatMul").input({4, 12, 128, 64}).input({4, 12, 64, 128}));
  expect_yes(Case("MatMul").input({2, 1, 3, 4}).input({1, 5, 4, 6}));  // broadcast batches
  expect_yes(Case("MatMul").input({4}).input({3, 4, 5}));              // 1-D A
  expect_yes(Case("MatMul").input({3, 4}, ElementType::F16).input({4}, ElementType::F16));
  expect_yes(
      Case("MatMul", "ai.onnx").input({3, 4}, ElementType::BF16).input({4, 2}, ElementType::BF16));
}

TEST(GpuMatMulSupport, DeclinesOtherTypesAndEmptyProducts) {
  expect_no(Case("MatMul").input({3, 4}, ElementType::F64).input({4, 2}, ElementType::F64), "f64");
  expect_no(Case("MatMul").input({3, 4}, ElementType::I32).input({4, 2}, ElementType::I32), "i32");
  expect_no(Case("MatMul").input({0, 4}).input({4, 2}), "empty");
  expect_no(Case("MatMul").input({3, 0}).input({0, 2}), "empty");
  expect_no(Case("MatMul").input({3, 4}).input({5, 2}), "inner dimensions differ");
}

TEST(GpuMatMulSupport, GemmWithEveryBroadcastOfC) {
  for (const Shape& c : {Shape{5}, Shape{1, 5}, Shape{3, 5}, Shape{3, 1}, Shape{1}, Shape{}})
    expect_yes(Case("Gemm").input({3, 4}).input({4, 5}).input(c));
  expect_yes(Case("Gemm")
                 .input({4, 3})
                 .input({5, 4})
                 .attr("transA", int64_t(1))
                 .attr("transB", int64_t(1))
                 .attr("alpha", 0.5f)
                 .attr("beta", 2.0f));
  expect_no(Case("Gemm").input({3, 4}).input({4, 5}).input({2, 5}), "does not broadcast");
  expect_no(Case("Gemm").input({3, 4}).input({5, 4}), "inner dimensions differ");
  expect_no(Case("Gemm").input({2, 3, 4}).input({4, 5}), "2-D");
}

TEST(GpuMatMulSupport, GemmBeforeOpset7BroadcastsOnlyWhenAsked) {
  Case plain = Case("Gemm").input({3, 4}).input({4, 5}).input({5});
  plain.opset = 6;
  expect_no(plain, "broadcast is 0");
  Case broadcast =
      Case("Gemm").input({3, 4}).input({4, 5}).input({5}).attr("broadcast", int64_t(1));
  broadcast.opset = 6;
  expect_yes(broadcast);
}

TEST(GpuMatMulSupport, FusedMatMulWithEveryActivation) {
  for (const char* activation : {"Relu", "Sigmoid", "Tanh", "HardSwish"})
    expect_yes(Case("FusedMatMul", "com.tandem")
                   .input({1, 128, 768})
                   .input({768, 3072})
                   .input({3072})
                   .attr("activation", std::string(activation)));
  expect_yes(Case("FusedMatMul", "com.tandem")
                 .input({8, 16})
                 .input({16, 4})
                 .input({4})
                 .attr("activation", std::string("Gelu"))
                 .attr("activation_approximate", std::string("tanh")));
  expect_yes(Case("FusedMatMul", "com.tandem").input({8, 16}).input({16, 4}));  // no bias
  expect_no(Case("FusedMatMul", "com.tandem")
                .input({8, 16})
                .input({16, 4})
                .input({4})
                .attr("activation", std::string("NoSuchActivation")),
            "unknown activation");
  expect_no(Case("FusedMatMul", "com.tandem").input({8, 16}).input({16, 4}).input({8}),
            "Bias has shape");
}

}  // namespace
}  // namespace tandem::gpu
