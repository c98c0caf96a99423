// attention_support: which MultiHeadAttention nodes the GPU takes, and the reasons it gives for
// the others.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "devices/gpu/support/judge_case.h"
#include "devices/gpu/support/op_support.h"

namespace tandem::gpu {
namespace {

// A MultiHeadAttention node (scale set) and its inputs' inferred types.
struct Case {
  ir::Node node;
  std::vector<ValueType> types;

  explicit Case(std::string op = "MultiHeadAttention", std::string domain = "com.tandem") {
    node.op_type = std::move(op);
    node.domain = std::move(domain);
    node.outputs = {"y"};
    node.attributes["scale"] = 0.125f;
  }
  Case& input(const Shape& shape, ElementType type = ElementType::F32) {
    node.inputs.push_back(fmt::format("x{}", node.inputs.size()));
    types.push_back(ValueType::tensor(type, PartialShape(shape)));
    return *this;
  }
  // Q [b, s, h, d], K and V [b, kv, h, d] (3-D without b).
  Case& qkv(const Shape& q, const Shape& kv, ElementType type = ElementType::F32) {
    return input(q, type).input(kv, type).input(kv, type);
  }
  std::optional<devices::Support> judge() const {
    std::vector<const ValueType*> inputs;
    for (const ValueType& t : types) inputs.push_back(&t);
    const execution::NodeInfo info{
        node, 1, inputs, std::vector<const Value*>(inputs.size(), nullptr), {}};
    return attention_support(info);
  }
};

void expect_yes(const Case& c) { testing::expect_yes(c.judge()); }

void expect_no(const Case& c, const std::string& reason) { testing::expect_no(c.judge(), reason); }

TEST(GpuAttentionSupport, OtherOpsAreNotItsFamily) {
  EXPECT_FALSE(Case("Attention", "com.microsoft").qkv({1, 4, 2, 8}, {1, 4, 2, 8}).judge());
  EXPECT_FALSE(Case("MatMul", "").input({2, 2}).input({2, 2}).judge());
}

TEST(GpuAttentionSupport, FloatAttentionWithOrWithoutMask) {
  expect_yes(Case().qkv({2, 128, 12, 64}, {2, 128, 12, 64}));
  expect_yes(Case().qkv({1, 7, 4, 16}, {1, 9, 4, 16}, ElementType::F16));
  expect_yes(Case().qkv({5, 4, 8}, {6, 4, 8}, ElementType::BF16));  // 3-D
  expect_yes(Case().qkv({2, 7, 4, 16}, {2, 9, 4, 16}).input({2, 1, 1, 9}));
  expect_yes(Case().qkv({2, 7, 4, 16}, {2, 9, 4, 16}).input({7, 9}));
}

TEST(GpuAttentionSupport, Declines) {
  expect_no(Case().qkv({1, 7, 4, 16}, {1, 9, 4, 16}, ElementType::F64), "f64");
  expect_no(Case().qkv({1, 7, 4, 16}, {9, 4, 16}), "3-D");
  expect_no(Case().qkv({1, 7, 4, 16}, {1, 9, 2, 16}), "do not fit");
  expect_no(Case().qkv({1, 0, 4, 16}, {1, 9, 4, 16}), "empty");
  expect_no(Case().qkv({2, 7, 4, 16}, {2, 9, 4, 16}).input({2, 1, 3, 9}), "does not broadcast");
  Case no_scale;
  no_scale.node.attributes.clear();
  no_scale.qkv({1, 7, 4, 16}, {1, 9, 4, 16});
  expect_no(no_scale, "scale");
}

}  // namespace
}  // namespace tandem::gpu
