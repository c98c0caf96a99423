// Inference and ONNX-1 broadcasting shared by the elementwise ops.
#include "ops/elementwise/elementwise_common.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace tandem::ops {

void infer_unary(InferContext& ctx) { ctx.set_output(0, ctx.input_type(0), ctx.input_shape(0)); }

bool is_legacy_broadcast(const NodeContext& ctx) {
  // The binary ops that carried `broadcast`/`axis` until opset 7 switched them to numpy rules.
  static constexpr std::array<std::string_view, 11> kLegacyOps = {
      "Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less"};
  const ir::Node& node = ctx.node();
  return node.domain.empty() && ctx.opset() < 7 &&
         std::find(kLegacyOps.begin(), kLegacyOps.end(), node.op_type) != kLegacyOps.end();
}

Shape rhs_broadcast_shape(const NodeContext& ctx, const Shape& a, const Shape& b) {
  if (!is_legacy_broadcast(ctx)) return b;
  if (ctx.attr<int64_t>("broadcast", 0) == 0) {
    if (a != b)
      throw ctx.error(ErrorKind::InvalidModel,
                      "inputs of shapes {} and {} differ and attribute 'broadcast' is not set",
                      to_string(a), to_string(b));
    return b;
  }
  if (shape_size(b) == 1) return Shape(a.size(), 1);
  const int64_t rank_a = int64_t(a.size()), rank_b = int64_t(b.size());
  int64_t axis = ctx.attr<int64_t>("axis", rank_a - rank_b);
  if (axis < 0) axis += rank_a;
  if (axis < 0 || axis + rank_b > rank_a)
    throw ctx.error(ErrorKind::InvalidModel,
                    "input 1 of shape {} does not fit input 0 of shape {} at axis {}", to_string(b),
                    to_string(a), axis);
  Shape out(a.size(), 1);
  for (int64_t k = 0; k < rank_b; ++k) {
    if (b[k] != a[axis + k] && b[k] != 1)
      throw ctx.error(ErrorKind::InvalidModel,
                      "input 1 of shape {} does not broadcast to input 0 of shape {} at axis {}",
                      to_string(b), to_string(a), axis);
    out[axis + k] = b[k];
  }
  return out;
}

void infer_broadcast(InferContext& ctx, ElementType type) {
  if (is_legacy_broadcast(ctx)) {
    const Tensor* a = ctx.input_tensor(0);
    const Tensor* b = ctx.input_tensor(1);
    if (a && b) rhs_broadcast_shape(ctx, a->shape(), b->shape());
    ctx.set_output(0, type, ctx.input_shape(0));
    return;
  }
  PartialShape shape = ctx.input_shape(0);
  for (size_t i = 1; i < ctx.num_inputs(); ++i)
    if (ctx.has_input(i)) shape = broadcast_shapes(ctx, shape, ctx.input_shape(i));
  ctx.set_output(0, type, std::move(shape));
}

void check_same_types(const InferContext& ctx) {
  const ElementType first = ctx.input_type(0);
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    const ElementType t = ctx.input_type(i);
    if (first != ElementType::Undefined && t != ElementType::Undefined && t != first)
      throw ctx.error(ErrorKind::InvalidModel,
                      "input {} has element type {}, expected {} as input 0", i, to_string(t),
                      to_string(first));
  }
}

void infer_broadcast_same(InferContext& ctx) {
  check_same_types(ctx);
  infer_broadcast(ctx, ctx.input_type(0));
}

void infer_broadcast_bool(InferContext& ctx) {
  check_same_types(ctx);
  infer_broadcast(ctx, ElementType::Bool);
}

}  // namespace tandem::ops
