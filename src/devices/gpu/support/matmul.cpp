// Which matrix products the GPU runs (devices/gpu/cuda/kernels/matmul.cpp): MatMul with numpy
// batching and broadcasting, Gemm with C of any broadcast shape, and FusedMatMul with every
// activation, over f32, f16 and bf16; not integer products nor empty ones.
#include <fmt/format.h>

#include "devices/gpu/support/judge_util.h"
#include "devices/gpu/support/op_support.h"
#include "ops/math/fused_matmul.h"
#include "ops/math/matmul_plan.h"
#include "ops/nn/fused_conv.h"
#include "ops/node_context.h"
#include "ops/tandem_domain.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

devices::Support gemm_support(const ops::NodeContext& ctx, const Shape& a, const Shape& b,
                              const Shape* c) {
  if (a.size() != 2 || b.size() != 2)
    return {false,
            fmt::format("Gemm of A {} and B {}: both must be 2-D", to_string(a), to_string(b))};
  const bool ta = ctx.attr<int64_t>("transA", 0) != 0, tb = ctx.attr<int64_t>("transB", 0) != 0;
  const int64_t m = a[ta ? 1 : 0], k = a[ta ? 0 : 1], n = b[tb ? 0 : 1];
  if (b[tb ? 1 : 0] != k)
    return {false,
            fmt::format("Gemm's inner dimensions differ: A {}, B {}", to_string(a), to_string(b))};
  if (m == 0 || n == 0 || k == 0) return {false, "an empty matrix product"};
  if (!c || ctx.attr<float>("beta", 1.0f) == 0.0f) return {true, ""};
  const int64_t cm = c->size() == 2 ? (*c)[0] : 1, cn = c->empty() ? 1 : c->back();
  if (c->size() > 2 || (cm != 1 && cm != m) || (cn != 1 && cn != n))
    return {false, fmt::format("C of shape {} does not broadcast to [{},{}]", to_string(*c), m, n)};
  if (ctx.opset() < 7 && ctx.attr<int64_t>("broadcast", 0) == 0 && *c != Shape{m, n})
    return {false, fmt::format("C has shape {}, expected [{},{}] (broadcast is 0 before opset 7)",
                               to_string(*c), m, n)};
  return {true, ""};
}

devices::Support matmul_support(const ops::NodeContext& ctx, const Shape& a, const Shape& b,
                                const Shape* bias) {
  const ops::MatMulPlan plan = ops::plan_matmul(ctx, a, b);
  if (plan.m == 0 || plan.n == 0 || plan.k == 0 || plan.a_offsets.empty())
    return {false, "an empty matrix product"};
  if (bias && (bias->size() != 1 || (*bias)[0] != plan.n))
    return {false, fmt::format("Bias has shape {}, expected [{}]", to_string(*bias), plan.n)};
  return {true, ""};
}

}  // namespace

std::optional<devices::Support> matmul_support(const execution::NodeInfo& info) {
  const ir::Node& node = info.node;
  const bool onnx = node.domain.empty() || node.domain == "ai.onnx";
  const bool fused = node.domain == ops::kTandemDomain && node.op_type == "FusedMatMul";
  const bool gemm = onnx && node.op_type == "Gemm";
  if (!fused && !gemm && !(onnx && node.op_type == "MatMul")) return std::nullopt;
  const ops::NodeContext ctx(node, info.opset);
  if (!ctx.has_input(0) || !ctx.has_input(1) || info.input_types.size() < 2)
    return devices::Support{false, "inputs A and B are required"};
  std::vector<const Shape*> shapes(3, nullptr);
  std::vector<Shape> storage;
  storage.reserve(3);
  for (size_t i = 0; i < 3 && i < info.input_types.size(); ++i) {
    const ValueType* type = info.input_types[i];
    if (!ctx.has_input(i) || !type) continue;
    if (!is_float(type->element_type))
      return devices::Support{false,
                              fmt::format("input {} is {}; the GPU multiplies f32, f16 and bf16", i,
                                          to_string(type->element_type))};
    storage.push_back(type->shape.to_shape());
    shapes[i] = &storage.back();
  }
  try {
    if (gemm) return gemm_support(ctx, *shapes[0], *shapes[1], shapes[2]);
    if (fused) ops::read_activation(ctx);
    return matmul_support(ctx, *shapes[0], *shapes[1],
                          fused ? shapes[ops::kFusedMatMulBiasInput] : nullptr);
  } catch (const Error& e) {
    return devices::Support{false, e.what()};
  }
}

}  // namespace tandem::gpu
