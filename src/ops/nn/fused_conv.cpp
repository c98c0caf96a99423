// FusedConv (com.tandem): y = activation(Conv(X, W, B) + Sum). The reference runs the reference
// kernels of the ops it replaces one after the other, so it computes exactly what the unfused
// nodes did and shares no arithmetic of its own.
#include "ops/nn/fused_conv.h"

#include <array>
#include <utility>
#include <vector>

#include "ops/op.h"
#include "ops/registry.h"

namespace tandem::ops {
namespace {

// Each activation as the ONNX op that defines it, at an opset where it takes its parameters as
// the attributes named here (Clip-6 still had its bounds as attributes).
struct ActivationOp {
  ActivationKind kind;
  std::string_view op;
  int opset;
  std::string_view alpha, beta;  // attribute names of the parameters, "" where none
  std::string_view approximate = "";  // Gelu's `approximate`, "" for the other ops
};
constexpr std::array<ActivationOp, 11> kActivationOps{{
    {ActivationKind::Relu, "Relu", 14, "", ""},
    {ActivationKind::LeakyRelu, "LeakyRelu", 16, "alpha", ""},
    {ActivationKind::Clip, "Clip", 6, "min", "max"},
    {ActivationKind::Sigmoid, "Sigmoid", 13, "", ""},
    {ActivationKind::HardSigmoid, "HardSigmoid", 22, "alpha", "beta"},
    {ActivationKind::HardSwish, "HardSwish", 22, "", ""},
    {ActivationKind::Swish, "Swish", 24, "alpha", ""},
    {ActivationKind::Tanh, "Tanh", 13, "", ""},
    {ActivationKind::Elu, "Elu", 22, "alpha", ""},
    {ActivationKind::Gelu, "Gelu", 20, "", "", "none"},
    {ActivationKind::GeluTanh, "Gelu", 20, "", "", "tanh"},
}};

const ActivationOp* find_activation(ActivationKind kind) {
  for (const ActivationOp& a : kActivationOps)
    if (a.kind == kind) return &a;
  return nullptr;
}

const OpDef& onnx_op(std::string_view name) {
  const OpDef* def = Registry::global().find("", name);
  if (!def)
    throw Error(ErrorKind::Runtime, fmt::format("FusedConv: op {} is not registered", name));
  return *def;
}

void check_sum(InferContext& ctx, const ValueType& conv) {
  const ValueType& sum = ctx.input(kFusedConvSumInput);
  if (sum.element_type != ElementType::Undefined && conv.element_type != ElementType::Undefined &&
      sum.element_type != conv.element_type)
    throw ctx.error(ErrorKind::InvalidModel, "Sum is {}, the convolution's output {}",
                    to_string(sum.element_type), to_string(conv.element_type));
  const PartialShape &a = sum.shape, &b = conv.shape;
  bool same = !a.rank_known() || !b.rank_known() || a.rank() == b.rank();
  for (size_t i = 0; same && a.rank_known() && b.rank_known() && i < a.rank(); ++i)
    same = !a[i].is_static() || !b[i].is_static() || a[i].value == b[i].value;
  if (!same)
    throw ctx.error(ErrorKind::InvalidModel, "Sum has shape {}, the convolution's output {}",
                    to_string(a), to_string(b));
}

void infer(InferContext& ctx) {
  read_activation(ctx);
  onnx_op("Conv").infer(ctx);
  if (ctx.has_input(kFusedConvSumInput)) check_sum(ctx, ctx.outputs()[0]);
}

void reference(KernelContext& ctx) {
  const Activation activation = read_activation(ctx);
  onnx_op("Conv").reference(ctx);
  const Tensor& conv = ctx.output(0);
  Value y = conv;
  if (ctx.has_input(kFusedConvSumInput)) {
    const Tensor& sum = ctx.input(kFusedConvSumInput);
    if (sum.shape() != conv.shape())
      throw ctx.error(ErrorKind::InvalidArgument, "Sum is {}, the convolution's output {}",
                      describe(sum), describe(conv));
    y = reference_add(ctx, y, sum);
  }
  ctx.set_output(0, reference_activation(ctx, activation, std::move(y)));
}

// The type of a tensor value, for the reference kernels run on it.
ValueType type_of(const Value& value) {
  const Tensor& t = value.tensor();
  return ValueType::tensor(t.element_type(), PartialShape(t.shape()));
}

}  // namespace

Value run_reference(const ir::Node& node, int opset, std::vector<const Value*> inputs, const ValueType& type) {
  const std::vector<ValueType> types{type};
  KernelContext ctx(node, opset, std::move(inputs), types, nullptr);
  onnx_op(node.op_type).reference(ctx);
  return std::move(ctx.results()[0]);
}

Value reference_add(const KernelContext& ctx, const Value& a, const Value& b) {
  const Shape &sa = a.tensor().shape(), &sb = b.tensor().shape();
  bool fits = sb.size() <= sa.size();
  for (size_t i = 1; fits && i <= sb.size(); ++i)
    fits = sb[sb.size() - i] == 1 || sb[sb.size() - i] == sa[sa.size() - i];
  if (!fits)
    throw ctx.error(ErrorKind::InvalidArgument, "cannot add {} to {} in place",
                    describe(b.tensor()), describe(a.tensor()));
  const ir::Node add{ctx.node().name, "Add", "", {"a", "b"}, {"y"}, {}};
  return run_reference(add, 14, {&a, &b}, type_of(a));
}

Value reference_activation(const KernelContext& ctx, const Activation& activation, Value y) {
  const ActivationOp* op = find_activation(activation.kind);
  if (!op) return y;
  ir::Node node{ctx.node().name, std::string(op->op), "", {"x"}, {"y"}, {}};
  if (!op->alpha.empty()) node.attributes[std::string(op->alpha)] = activation.alpha;
  if (!op->beta.empty()) node.attributes[std::string(op->beta)] = activation.beta;
  if (!op->approximate.empty()) node.attributes["approximate"] = std::string(op->approximate);
  return run_reference(node, op->opset, {&y}, type_of(y));
}

std::string_view activation_op(ActivationKind kind) {
  const ActivationOp* op = find_activation(kind);
  return op ? op->op : std::string_view();
}

std::string_view activation_approximate(ActivationKind kind) {
  const ActivationOp* op = find_activation(kind);
  return op ? op->approximate : std::string_view();
}

Activation read_activation(const NodeContext& ctx) {
  if (!ctx.has_attr("activation")) return {};
  const std::string name = ctx.attr<std::string>("activation");
  const std::string approximate = ctx.attr<std::string>("activation_approximate", "none");
  for (const ActivationOp& op : kActivationOps) {
    if (op.op != name || (!op.approximate.empty() && op.approximate != approximate)) continue;
    Activation a{.kind = op.kind};
    if (!op.alpha.empty()) a.alpha = ctx.attr<float>("activation_alpha");
    if (!op.beta.empty()) a.beta = ctx.attr<float>("activation_beta");
    return a;
  }
  if (name == "Gelu")
    throw ctx.error(ErrorKind::InvalidModel,
                    "activation_approximate '{}' is not 'none' or 'tanh'", approximate);
  throw ctx.error(ErrorKind::InvalidModel, "unknown activation '{}'", name);
}

void write_activation(const Activation& activation, ir::Node& node) {
  const ActivationOp* op = find_activation(activation.kind);
  if (!op) return;
  node.attributes["activation"] = std::string(op->op);
  if (!op->alpha.empty()) node.attributes["activation_alpha"] = activation.alpha;
  if (!op->beta.empty()) node.attributes["activation_beta"] = activation.beta;
  if (!op->approximate.empty())
    node.attributes["activation_approximate"] = std::string(op->approximate);
}

const OpDef& fused_conv_op() {
  static const OpDef def{.name = "FusedConv",
                         .domain = kTandemDomain,
                         .versions = {kTandemOpset},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
