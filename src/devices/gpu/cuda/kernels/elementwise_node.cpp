// make_elementwise_kernel: reads an elementwise node's attributes and constants and plans its
// kernel (elementwise.h) at compile time, so that launch() only enqueues.
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/kernels/elementwise.h"
#include "devices/gpu/support/judge_util.h"
#include "ops/node_context.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

using elementwise::BinaryOp;
using elementwise::BroadcastPlan;
using elementwise::UnaryOp;
using elementwise::UnaryParams;

Error unsupported(const ops::NodeContext& ctx, const std::string& why) {
  return ctx.error(ErrorKind::Unsupported, "GPU: {}", why);
}

// The operands a kernel reads: the executor's pointer, or the constant uploaded at compile time.
class Operands {
 public:
  Operands(const GpuNode& node, size_t count, ElementType type) : held_(count) {
    for (size_t i = 0; i < count; ++i)
      if (i < node.constants.size() && node.constants[i]) held_[i] = upload(*node.constants[i], type);
  }
  const void* get(const Launch& launch, size_t i) const {
    return held_[i].get() ? held_[i].get() : launch.inputs[i];
  }

 private:
  std::vector<DeviceBuffer> held_;
};

class UnaryKernel final : public GpuKernel {
 public:
  UnaryKernel(const GpuNode& node, ElementType type, UnaryParams params)
      : name_(fmt::format("cuda_{}_{}", node.node.op_type, to_string(type))),
        type_(type),
        params_(params),
        n_(shape_size(node.output_shapes[0])),
        operands_(node, 1, type) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    elementwise::unary(type_, params_, operands_.get(l, 0), l.outputs[0], n_, l.stream);
  }

 private:
  std::string name_;
  ElementType type_;
  UnaryParams params_;
  int64_t n_;
  Operands operands_;
};

class BinaryKernel final : public GpuKernel {
 public:
  BinaryKernel(const GpuNode& node, ElementType type, BinaryOp op, const BroadcastPlan& plan,
               Operands operands)
      : name_(fmt::format("cuda_{}_{}{}", node.node.op_type, to_string(type),
                          plan.rank > 0 ? "_broadcast" : "")),
        type_(type),
        op_(op),
        plan_(plan),
        operands_(std::move(operands)) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    elementwise::binary(type_, op_, plan_, operands_.get(l, 0), operands_.get(l, 1), l.outputs[0],
                        l.stream);
  }

 private:
  std::string name_;
  ElementType type_;
  BinaryOp op_;
  BroadcastPlan plan_;
  Operands operands_;
};

class CastKernel final : public GpuKernel {
 public:
  CastKernel(const GpuNode& node, ElementType from, ElementType to, bool truncate_bf16)
      : name_(fmt::format("cuda_cast_{}_{}", to_string(from), to_string(to))),
        from_(from),
        to_(to),
        truncate_bf16_(truncate_bf16),
        n_(shape_size(node.output_shapes[0])) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    if (from_ == to_) {  // the storage already holds the target type: a copy
      if (n_)
        check(cudaMemcpyAsync(l.outputs[0], l.inputs[0], size_t(n_) * element_size(to_),
                              cudaMemcpyDeviceToDevice, l.stream),
              "Cast's copy");
      return;
    }
    elementwise::cast(from_, to_, truncate_bf16_, l.inputs[0], l.outputs[0], n_, l.stream);
  }

 private:
  std::string name_;
  ElementType from_, to_;
  bool truncate_bf16_;
  int64_t n_;
};

// Numpy broadcasting of a and b to out, collapsed as BroadcastPlan describes.
BroadcastPlan plan_broadcast(const ops::NodeContext& ctx, const Shape& a, const Shape& b,
                             const Shape& out) {
  BroadcastPlan plan;
  plan.n = shape_size(out);
  const size_t rank = out.size();
  std::vector<int64_t> da(rank, 1), db(rank, 1);
  for (size_t k = 0; k < a.size(); ++k) da[rank - 1 - k] = a[a.size() - 1 - k];
  for (size_t k = 0; k < b.size(); ++k) db[rank - 1 - k] = b[b.size() - 1 - k];
  std::vector<int64_t> dims;
  std::vector<bool> a_bcast, b_bcast;
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    const bool fa = da[d] == 1, fb = db[d] == 1;
    if (!dims.empty() && a_bcast.back() == fa && b_bcast.back() == fb) {
      dims.back() *= out[d];
      continue;
    }
    dims.push_back(out[d]);
    a_bcast.push_back(fa);
    b_bcast.push_back(fb);
  }
  if (dims.size() <= 1) {  // flat: each operand is the whole output or one element
    plan.a_scalar = dims.empty() || a_bcast[0];
    plan.b_scalar = dims.empty() || b_bcast[0];
    return plan;
  }
  if (dims.size() > size_t(elementwise::kMaxRank))
    throw unsupported(ctx, fmt::format("broadcasting {} with {} takes {} dimensions, more than {}",
                                       to_string(a), to_string(b), dims.size(),
                                       elementwise::kMaxRank));
  plan.rank = int(dims.size());
  int64_t sa = 1, sb = 1;
  for (int d = plan.rank - 1; d >= 0; --d) {
    plan.dims[d] = int32_t(dims[d]);
    plan.a_strides[d] = a_bcast[d] ? 0 : int32_t(sa);
    plan.b_strides[d] = b_bcast[d] ? 0 : int32_t(sb);
    if (!a_bcast[d]) sa *= dims[d];
    if (!b_bcast[d]) sb *= dims[d];
  }
  return plan;
}

// The unary ops whose parameters are attributes (or none); nullopt for another op.
std::optional<UnaryParams> unary_params(const ops::NodeContext& ctx) {
  const std::string& op = ctx.node().op_type;
  auto plain = [](UnaryOp u) { return UnaryParams{u, 0.0f, 0.0f}; };
  if (op == "Relu") return plain(UnaryOp::Relu);
  if (op == "Sigmoid") return plain(UnaryOp::Sigmoid);
  if (op == "Tanh") return plain(UnaryOp::Tanh);
  if (op == "Erf") return plain(UnaryOp::Erf);
  if (op == "Exp") return plain(UnaryOp::Exp);
  if (op == "Log") return plain(UnaryOp::Log);
  if (op == "Sqrt") return plain(UnaryOp::Sqrt);
  if (op == "Neg") return plain(UnaryOp::Neg);
  if (op == "Abs") return plain(UnaryOp::Abs);
  if (op == "Reciprocal") return plain(UnaryOp::Reciprocal);
  if (op == "HardSwish") return plain(UnaryOp::HardSwish);
  if (op == "Softplus") return plain(UnaryOp::Softplus);
  if (op == "LeakyRelu") return UnaryParams{UnaryOp::LeakyRelu, ctx.attr<float>("alpha", 0.01f)};
  if (op == "Elu") return UnaryParams{UnaryOp::Elu, ctx.attr<float>("alpha", 1.0f)};
  if (op == "HardSigmoid")
    return UnaryParams{UnaryOp::HardSigmoid, ctx.attr<float>("alpha", 0.2f),
                       ctx.attr<float>("beta", 0.5f)};
  if (op == "Gelu") {
    const std::string approximate = ctx.attr<std::string>("approximate", "none");
    if (approximate == "none") return plain(UnaryOp::Gelu);
    if (approximate == "tanh") return plain(UnaryOp::GeluTanh);
    throw unsupported(ctx, fmt::format("Gelu's approximate '{}' is not 'none' or 'tanh'", approximate));
  }
  return std::nullopt;
}

// Clip's bounds: attributes before opset 11, constant scalar inputs from then on.
UnaryParams clip_params(const ops::NodeContext& ctx, const GpuNode& node) {
  float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
  if (ctx.opset() < 11) {
    lo = ctx.attr<float>("min", lo);
    hi = ctx.attr<float>("max", hi);
    return {UnaryOp::Clip, lo, hi};
  }
  for (size_t i : {1, 2}) {
    if (!ctx.has_input(i)) continue;
    const Tensor* bound = i < node.constants.size() ? node.constants[i] : nullptr;
    if (!bound) throw unsupported(ctx, fmt::format("Clip's input {} is not a constant", i));
    if (bound->size() != 1)
      throw unsupported(ctx, fmt::format("Clip's input {} is not a scalar", i));
    (i == 1 ? lo : hi) = float(bound->to_double()[0]);
  }
  return {UnaryOp::Clip, lo, hi};
}

std::optional<BinaryOp> binary_op(const std::string& op) {
  if (op == "Add") return BinaryOp::Add;
  if (op == "Sub") return BinaryOp::Sub;
  if (op == "Mul") return BinaryOp::Mul;
  if (op == "Div") return BinaryOp::Div;
  if (op == "Pow") return BinaryOp::Pow;
  return std::nullopt;
}

// A constant's values as f32, for a Pow exponent of an integer type.
Tensor as_f32(const Tensor& t) {
  if (is_float(t.element_type())) return t;
  const std::vector<double> values = t.to_double();
  return Tensor::from<float>(std::vector<float>(values.begin(), values.end()), t.shape());
}

std::unique_ptr<GpuKernel> make_binary(const ops::NodeContext& ctx, const GpuNode& node,
                                       BinaryOp op, ElementType type) {
  const Tensor* exponent = node.constants.size() > 1 ? node.constants[1] : nullptr;
  if (op == BinaryOp::Pow && exponent && exponent->size() == 1 &&
      node.input_shapes[0] == node.output_shapes[0] && node.input_types[0] == type)
    return std::make_unique<UnaryKernel>(
        node, type, UnaryParams{UnaryOp::Pow, float(exponent->to_double()[0]), 0.0f});
  if (ctx.opset() < 7 && ctx.attr<int64_t>("broadcast", 0) != 0 &&
      node.input_shapes[0] != node.input_shapes[1])
    throw unsupported(ctx, "the legacy broadcast attribute (before opset 7)");
  for (size_t i : {0, 1}) {
    const bool constant = node.constants.size() > i && node.constants[i];
    if (!constant && node.input_types[i] != type)
      throw unsupported(ctx, fmt::format("input {} is stored as {}, the output as {}", i,
                                         to_string(node.input_types[i]), to_string(type)));
  }
  // Constants are uploaded in the storage type (a Pow exponent of integers converted first).
  GpuNode converted = node;
  std::vector<Tensor> f32_constants;
  f32_constants.reserve(2);
  for (size_t i : {0, 1})
    if (converted.constants.size() > i && converted.constants[i])
      converted.constants[i] = &f32_constants.emplace_back(as_f32(*converted.constants[i]));
  const BroadcastPlan plan =
      plan_broadcast(ctx, node.input_shapes[0], node.input_shapes[1], node.output_shapes[0]);
  return std::make_unique<BinaryKernel>(node, type, op, plan, Operands(converted, 2, type));
}

std::unique_ptr<GpuKernel> make_cast(const ops::NodeContext& ctx, const GpuNode& node) {
  const ElementType from = node.input_types[0], to = node.output_types[0];
  if (!elementwise::castable(from, to))
    throw unsupported(ctx, fmt::format("Cast from {} to {}", to_string(from), to_string(to)));
  if (node.constants.size() > 0 && node.constants[0])
    throw unsupported(ctx, "Cast of a constant (constant folding's job)");
  // Before opset 19 Cast rounds to bfloat16 by truncation (the reference's ONNX 1.12 behaviour);
  // only where bfloat16 is the op's own target, not the storage of an f32 result.
  const bool truncate_bf16 = ctx.opset() < 19 && to == ElementType::BF16 &&
                             ctx.attr<int64_t>("to", 0) == int64_t(ElementType::BF16);
  return std::make_unique<CastKernel>(node, from, to, truncate_bf16);
}

}  // namespace

std::unique_ptr<GpuKernel> make_elementwise_kernel(const GpuNode& node) {
  const std::string& op = node.node.op_type;
  const std::string& domain = node.node.domain;
  const bool onnx = domain.empty() || domain == "ai.onnx";
  if (!onnx && !(domain == "com.tandem" && op == "Gelu")) return nullptr;
  const ops::NodeContext ctx(node.node, node.opset);
  const bool known = op == "Cast" || op == "Clip" || binary_op(op) || unary_params(ctx);
  if (!known) return nullptr;

  for (const Shape& shape : node.output_shapes)
    if (shape_size(shape) > std::numeric_limits<int32_t>::max())
      throw unsupported(ctx, "tensors of 2^31 elements or more");
  if (op == "Cast") return make_cast(ctx, node);

  const ElementType type = node.output_types[0];
  if (!is_float(type))
    throw unsupported(ctx, fmt::format("{} output of {}", op, to_string(type)));
  if (std::optional<BinaryOp> b = binary_op(op)) return make_binary(ctx, node, *b, type);
  if (node.input_types[0] != type && !(node.constants.size() > 0 && node.constants[0]))
    throw unsupported(ctx, fmt::format("input stored as {}, output as {}",
                                       to_string(node.input_types[0]), to_string(type)));
  const UnaryParams params = op == "Clip" ? clip_params(ctx, node) : *unary_params(ctx);
  return std::make_unique<UnaryKernel>(node, type, params);
}

}  // namespace tandem::gpu
