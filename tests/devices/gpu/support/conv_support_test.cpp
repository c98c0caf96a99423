// The judges of the GPU's convolutions and pools (conv_support, pool_support): what they accept,
// what they decline and why, and the ops they leave to the other families.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "devices/gpu/support/judge_case.h"
#include "devices/gpu/support/op_support.h"
#include "ops/nn/fused_conv.h"

namespace tandem::gpu {
namespace {

using Attributes = std::map<std::string, ir::Attribute>;

// A node with its inputs' and outputs' types, held together for a NodeInfo.
struct Judged {
  ir::Node node;
  int opset;
  std::vector<ValueType> inputs, outputs;

  execution::NodeInfo info() const {
    std::vector<const ValueType*> types;
    for (const ValueType& t : inputs) types.push_back(&t);
    return {node, opset, types, std::vector<const Value*>(inputs.size(), nullptr), outputs};
  }
};

ValueType f32(PartialShape shape, ElementType type = ElementType::F32) {
  return ValueType::tensor(type, std::move(shape));
}

Judged conv(Attributes attributes = {}, ElementType type = ElementType::F32) {
  return {{"c", "Conv", "", {"x", "w", "b"}, {"y"}, std::move(attributes)},
          22,
          {f32({1, 8, 10, 10}, type), f32({16, 8, 3, 3}, type), f32({16}, type)},
          {f32({1, 16, 8, 8}, type)}};
}

Judged fused_conv(ops::Activation activation) {
  Judged j{{"c", "FusedConv", std::string(ops::kTandemDomain), {"x", "w", "b", "sum"}, {"y"}, {}},
           ops::kFusedConvOpset,
           {f32({1, 8, 10, 10}), f32({16, 8, 3, 3}), f32({16}), f32({1, 16, 8, 8})},
           {f32({1, 16, 8, 8})}};
  ops::write_activation(activation, j.node);
  return j;
}

std::optional<devices::Support> judge(const Judged& j) {
  return conv_support(j.info()) ? conv_support(j.info()) : pool_support(j.info());
}

void expect_yes(const Judged& j) { testing::expect_yes(judge(j)); }

void expect_no(const Judged& j, const std::string& reason) { testing::expect_no(judge(j), reason); }

TEST(GpuConvSupport, AcceptsConvAndFusedConv) {
  expect_yes(conv());
  expect_yes(conv({}, ElementType::F16));
  expect_yes(conv({}, ElementType::BF16));
  expect_yes(fused_conv({ops::ActivationKind::Relu}));
  expect_yes(fused_conv({ops::ActivationKind::Swish, 1.0f}));
  expect_yes(fused_conv({}));
}

TEST(GpuConvSupport, AcceptsGroupsPadsAndOneDimension) {
  Judged depthwise{{"c",
                    "Conv",
                    "",
                    {"x", "w"},
                    {"y"},
                    {{"group", int64_t(8)},
                     {"auto_pad", std::string("SAME_UPPER")},
                     {"strides", std::vector<int64_t>{2, 2}}}},
                   22,
                   {f32({1, 8, 9, 9}), f32({8, 1, 3, 3})},
                   {f32({1, 8, 5, 5})}};
  expect_yes(depthwise);
  Judged one_d{{"c", "Conv", "", {"x", "w"}, {"y"}, {{"pads", std::vector<int64_t>{1, 0}}}},
               22,
               {f32({2, 3, 12}), f32({4, 3, 3})},
               {f32({2, 4, 11})}};
  expect_yes(one_d);
}

TEST(GpuConvSupport, Declines) {
  expect_no(conv({}, ElementType::F64), "f64");
  Judged three_d{{"c", "Conv", "", {"x", "w"}, {"y"}, {}},
                 22,
                 {f32({1, 2, 4, 4, 4}), f32({2, 2, 1, 1, 1})},
                 {f32({1, 2, 4, 4, 4})}};
  expect_no(three_d, "3-D");
  Judged bad_sum = fused_conv({ops::ActivationKind::Relu});
  bad_sum.inputs[3] = f32({1, 16, 8, 9});
  expect_no(bad_sum, "Sum has shape");
  Judged mixed = conv();
  mixed.inputs[1] = f32({16, 8, 3, 3}, ElementType::F16);
  expect_no(mixed, "input 1");
}

TEST(GpuConvSupport, OtherOpsAreNotItsFamily) {
  Judged relu{{"r", "Relu", "", {"x"}, {"y"}, {}}, 14, {f32({2})}, {f32({2})}};
  EXPECT_FALSE(conv_support(relu.info()).has_value());
  EXPECT_FALSE(pool_support(relu.info()).has_value());
  Judged other_domain = conv();
  other_domain.node.domain = "com.example";
  EXPECT_FALSE(conv_support(other_domain.info()).has_value());
}

Judged pool(const std::string& op, int opset, PartialShape x, PartialShape y,
            Attributes attributes) {
  return {{"p", op, "", {"x"}, {"y"}, std::move(attributes)}, opset, {f32(x)}, {f32(y)}};
}

TEST(GpuPoolSupport, AcceptsThePools) {
  expect_yes(pool("MaxPool", 12, {1, 4, 16, 16}, {1, 4, 8, 8},
                  {{"kernel_shape", std::vector<int64_t>{3, 3}},
                   {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                   {"strides", std::vector<int64_t>{2, 2}}}));
  expect_yes(pool("MaxPool", 12, {1, 4, 14, 14}, {1, 4, 7, 7},
                  {{"kernel_shape", std::vector<int64_t>{3, 3}},
                   {"strides", std::vector<int64_t>{2, 2}},
                   {"ceil_mode", int64_t(1)}}));
  expect_yes(pool("AveragePool", 19, {1, 4, 11, 11}, {1, 4, 6, 6},
                  {{"kernel_shape", std::vector<int64_t>{3, 3}},
                   {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                   {"strides", std::vector<int64_t>{2, 2}},
                   {"count_include_pad", int64_t(1)}}));
  expect_yes(pool("GlobalAveragePool", 22, {2, 16, 7, 7}, {2, 16, 1, 1}, {}));
  expect_yes(pool("GlobalMaxPool", 22, {2, 16, 7}, {2, 16, 1}, {}));
}

TEST(GpuPoolSupport, Declines) {
  Judged indices = pool("MaxPool", 12, {1, 4, 4, 4}, {1, 4, 3, 3},
                        {{"kernel_shape", std::vector<int64_t>{2, 2}}});
  indices.node.outputs.push_back("indices");
  indices.outputs.push_back(f32({1, 4, 3, 3}, ElementType::I64));
  expect_no(indices, "Indices");
  expect_no(pool("MaxPool", 12, {1, 4, 8, 8}, {1, 4, 6, 6},
                 {{"kernel_shape", std::vector<int64_t>{2, 2}},
                  {"dilations", std::vector<int64_t>{2, 2}}}),
            "dilations");
  expect_no(pool("AveragePool", 19, {1, 4, 14, 14}, {1, 4, 7, 7},
                 {{"kernel_shape", std::vector<int64_t>{3, 3}},
                  {"strides", std::vector<int64_t>{2, 2}},
                  {"ceil_mode", int64_t(1)},
                  {"count_include_pad", int64_t(1)}}),
            "count_include_pad");
  expect_no(pool("MaxPool", 12, {1, 4, 4, 4, 4}, {1, 4, 3, 3, 3},
                 {{"kernel_shape", std::vector<int64_t>{2, 2, 2}}}),
            "3-D");
  Judged f64_global = pool("GlobalAveragePool", 22, {1, 4, 4, 4}, {1, 4, 1, 1}, {});
  f64_global.inputs[0] = f32({1, 4, 4, 4}, ElementType::F64);
  expect_no(f64_global, "f64");
  expect_no(pool("LpPool", 18, {1, 4, 4, 4}, {1, 4, 3, 3},
                 {{"kernel_shape", std::vector<int64_t>{2, 2}}}),
            "LpPool");
}

}  // namespace
}  // namespace tandem::gpu
