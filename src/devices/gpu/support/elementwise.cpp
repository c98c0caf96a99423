// elementwise_support: which pointwise nodes (unary math, activations, Clip, Add/Sub/Mul/Div/Pow,
// Cast) the GPU's elementwise kernels run.
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "devices/gpu/support/judge_util.h"
#include "devices/gpu/support/op_support.h"
#include "ops/node_context.h"

namespace tandem::gpu {
namespace {

const std::set<std::string, std::less<>> kUnary = {
    "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Erf",        "Gelu",      "Exp",      "Log", "Sqrt",
    "Neg",  "Abs",       "Reciprocal", "Clip", "HardSigmoid", "HardSwish", "Softplus", "Elu"};
const std::set<std::string, std::less<>> kBinary = {"Add", "Sub", "Mul", "Div", "Pow"};

bool is_castable(ElementType t) {
  return is_float(t) || t == ElementType::I32 || t == ElementType::I64 || t == ElementType::Bool;
}

ElementType input_type(const execution::NodeInfo& info, size_t i) {
  return i < info.input_types.size() && info.input_types[i] ? info.input_types[i]->element_type
                                                            : ElementType::Undefined;
}

Shape input_shape(const execution::NodeInfo& info, size_t i) {
  return info.input_types[i]->shape.to_shape();
}

devices::Support judge_unary(const execution::NodeInfo& info, const ops::NodeContext& ctx) {
  const std::string& op = info.node.op_type;
  if (!is_float(input_type(info, 0)))
    return no(fmt::format("{} of {} (only f32, f16 and bf16)", op, to_string(input_type(info, 0))));
  if (op == "Gelu") {
    const std::string approximate = ctx.attr<std::string>("approximate", "none");
    if (approximate != "none" && approximate != "tanh")
      return no(fmt::format("Gelu's approximate '{}'", approximate));
  }
  if (op == "Clip" && ctx.opset() >= 11) {
    for (size_t i : {1, 2}) {
      if (!ctx.has_input(i)) continue;
      const Value* bound = constant(info, i);
      if (!bound || !bound->is_tensor()) return no(fmt::format("Clip's input {} is not a constant", i));
      if (bound->tensor().size() != 1) return no(fmt::format("Clip's input {} is not a scalar", i));
    }
  }
  return {true, ""};
}

devices::Support judge_binary(const execution::NodeInfo& info, const ops::NodeContext& ctx) {
  const std::string& op = info.node.op_type;
  if (info.input_types.size() != 2 || !info.input_types[0] || !info.input_types[1])
    return no(fmt::format("{} needs two inputs", op));
  if (!is_float(input_type(info, 0)))
    return no(fmt::format("{} of {} (only f32, f16 and bf16)", op, to_string(input_type(info, 0))));
  const Value* exponent = constant(info, 1);
  const bool constant_numeric_exponent = op == "Pow" && exponent && exponent->is_tensor() &&
                                         exponent->tensor().element_type() != ElementType::String &&
                                         exponent->tensor().element_type() != ElementType::Bool;
  if (!is_float(input_type(info, 1)) && !constant_numeric_exponent)
    return no(fmt::format("{} with a second input of {}", op, to_string(input_type(info, 1))));
  const Shape a = input_shape(info, 0), b = input_shape(info, 1);
  if (a != b) {
    if (ctx.opset() < 7 && ctx.attr<int64_t>("broadcast", 0) != 0)
      return no("the legacy broadcast attribute (before opset 7)");
    if (info.output_types[0].shape.rank() > 6) return no("broadcasting over more than 6 dimensions");
  }
  return {true, ""};
}

devices::Support judge_cast(const execution::NodeInfo& info) {
  const ElementType from = input_type(info, 0), to = info.output_types[0].element_type;
  if (!is_castable(from) || !is_castable(to))
    return no(fmt::format("Cast from {} to {} (only among f32, f16, bf16, i32, i64 and bool)",
                          to_string(from), to_string(to)));
  if (constant(info, 0)) return no("Cast of a constant (left to constant folding)");
  return {true, ""};
}

}  // namespace

std::optional<devices::Support> elementwise_support(const execution::NodeInfo& info) {
  const std::string& op = info.node.op_type;
  const std::string& domain = info.node.domain;
  const bool onnx = domain.empty() || domain == "ai.onnx";
  const bool unary = kUnary.contains(op), binary = kBinary.contains(op);
  if (!unary && !binary && op != "Cast") return std::nullopt;
  if (!onnx && !(domain == "com.tandem" && op == "Gelu")) return std::nullopt;
  if (info.input_types.empty() || !info.input_types[0] || info.output_types.empty())
    return no(fmt::format("{} without its input or output", op));

  for (const ValueType& out : info.output_types)
    if (shape_size(out.shape.to_shape()) > std::numeric_limits<int32_t>::max())
      return no("tensors of 2^31 elements or more");
  const ops::NodeContext ctx(info.node, info.opset);
  if (op == "Cast") return judge_cast(info);
  if (!is_float(info.output_types[0].element_type))
    return no(fmt::format("{} output of {}", op, to_string(info.output_types[0].element_type)));
  return binary ? judge_binary(info, ctx) : judge_unary(info, ctx);
}

}  // namespace tandem::gpu
