// normalization_support: which normalisations and mean reductions (LayerNormalization, Softmax,
// LogSoftmax, BatchNormalization in inference, ReduceMean, ReduceSum; GlobalAveragePool is pool's) the
// GPU's normalization kernels run.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "devices/gpu/support/judge_util.h"
#include "devices/gpu/support/op_support.h"
#include "ops/node_context.h"
#include "ops/shape_utils.h"

namespace tandem::gpu {
namespace {

const Tensor* constant_tensor(const execution::NodeInfo& info, size_t i) {
  const Value* v = constant(info, i);
  return v && v->is_tensor() ? &v->tensor() : nullptr;
}

// Whether a parameter of shape s broadcasts (numpy-style, from the right) to a row of shape row.
bool broadcasts_to(const Shape& s, const Shape& row) {
  if (s.size() > row.size()) return false;
  for (size_t k = 0; k < s.size(); ++k) {
    const int64_t d = s[s.size() - 1 - k];
    if (d != 1 && d != row[row.size() - 1 - k]) return false;
  }
  return true;
}

devices::Support judge_layer_norm(const execution::NodeInfo& info, const ops::NodeContext& ctx,
                                  const Shape& shape) {
  const int64_t axis = ops::normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), shape.size());
  const Shape row(shape.begin() + axis, shape.end());
  for (size_t i : {1, 2}) {
    if (!ctx.has_input(i)) continue;
    const Tensor* t = constant_tensor(info, i);
    if (!t) return no(fmt::format("LayerNormalization's input {} is not a constant", i));
    if (!broadcasts_to(t->shape(), row))
      return no(fmt::format("LayerNormalization's input {} does not broadcast to a row", i));
  }
  if (!ctx.has_input(1)) return no("LayerNormalization without Scale");
  for (size_t i : {1, 2})
    if (ctx.has_output(i) && !is_float(info.output_types[i].element_type))
      return no(fmt::format("LayerNormalization's output {} of {}", i,
                            to_string(info.output_types[i].element_type)));
  if (ctx.has_output(1) && ctx.has_output(2) &&
      info.output_types[1].element_type != info.output_types[2].element_type)
    return no("LayerNormalization's Mean and InvStdDev of different types");
  return {true, ""};
}

devices::Support judge_batch_norm(const execution::NodeInfo& info, const ops::NodeContext& ctx,
                                  const Shape& shape) {
  if (shape.size() < 2) return no("BatchNormalization of rank below 2");
  for (size_t i = 1; i < ctx.num_outputs(); ++i)
    if (ctx.has_output(i)) return no("BatchNormalization's statistics outputs (training)");
  if (ctx.opset() >= 14 && ctx.attr<int64_t>("training_mode", 0) != 0)
    return no("BatchNormalization in training mode");
  if (ctx.opset() < 9 && ctx.attr<int64_t>("spatial", 1) == 0)
    return no("BatchNormalization with spatial = 0");
  for (size_t i = 1; i <= 4; ++i) {
    const Tensor* t = constant_tensor(info, i);
    if (!t) return no(fmt::format("BatchNormalization's input {} is not a constant", i));
    if (t->size() != shape[1])
      return no(fmt::format("BatchNormalization's input {} is not one value per channel", i));
  }
  return {true, ""};
}

devices::Support judge_reduce(const execution::NodeInfo& info, const ops::NodeContext& ctx,
                              const Shape& shape) {
  const std::string& op = info.node.op_type;
  std::vector<int64_t> axes;
  if (ctx.opset() < (op == "ReduceSum" ? 13 : 18)) {
    axes = ctx.attr<std::vector<int64_t>>("axes", {});
  } else if (ctx.has_input(1)) {
    const Tensor* t = constant_tensor(info, 1);
    if (!t) return no(fmt::format("{}'s axes input is not a constant", op));
    axes = t->to_int64();
  }
  const bool none = axes.empty() && ctx.attr<int64_t>("noop_with_empty_axes", 0) != 0;
  std::vector<bool> reduced(shape.size(), axes.empty() && !none);
  for (int64_t a : axes) reduced[ops::normalize_axis(ctx, a, shape.size())] = true;
  // The kernel sees x as [outer, n, inner]: the reduced axes, size-1 ones aside, must be one run.
  int stage = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (reduced[d] && stage == 2) return no(fmt::format("{} over axes that are not contiguous", op));
    if (reduced[d]) stage = 1;
    else if (stage == 1) stage = 2;
  }
  return {true, ""};
}

}  // namespace

std::optional<devices::Support> normalization_support(const execution::NodeInfo& info) {
  const std::string& op = info.node.op_type;
  const std::string& domain = info.node.domain;
  const bool onnx = domain.empty() || domain == "ai.onnx";
  const bool layer_norm = op == "LayerNormalization" && (onnx || domain == "com.tandem");
  const bool softmax = onnx && (op == "Softmax" || op == "LogSoftmax");
  const bool batch_norm = onnx && op == "BatchNormalization";
  const bool reduce =
      onnx && (op == "ReduceMean" || op == "ReduceSum");
  if (!layer_norm && !softmax && !batch_norm && !reduce) return std::nullopt;
  if (info.input_types.empty() || !info.input_types[0] || info.output_types.empty())
    return no(fmt::format("{} without its input or output", op));
  const ElementType in = info.input_types[0]->element_type;
  const ElementType out = info.output_types[0].element_type;
  if (!is_float(in) || !is_float(out))
    return no(fmt::format("{} of {} (only f32, f16 and bf16)", op, to_string(in)));
  if (constant(info, 0)) return no(fmt::format("{} of a constant (left to constant folding)", op));
  const Shape shape = info.input_types[0]->shape.to_shape();
  const ops::NodeContext ctx(info.node, info.opset);
  if (layer_norm) return judge_layer_norm(info, ctx, shape);
  if (softmax) return devices::Support{true, ""};
  if (batch_norm) return judge_batch_norm(info, ctx, shape);
  return judge_reduce(info, ctx, shape);
}

}  // namespace tandem::gpu
