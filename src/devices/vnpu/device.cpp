// The VNPU's five answers: who it is, the NPU op set it accepts (each no with its reason), an
// ahead-of-time f16 executable, and transfers into and out of its own counted memory.
#include "devices/vnpu/device.h"

#include <fmt/format.h>

#include <map>
#include <string_view>

#include "devices/vnpu/executable.h"
#include "devices/vnpu/memory.h"

namespace tandem::vnpu {
namespace {

// What an NPU of this class runs. `constant_inputs`: inputs it needs known at compile time beyond
// the integer ones (which the type rule already asks to be constant).
struct OpRule {
  std::vector<size_t> constant_inputs;
  bool integer_output = false;  // may output i32: the integer ops' accumulators
};

const std::map<std::string, OpRule, std::less<>>& onnx_ops() {
  static const std::map<std::string, OpRule, std::less<>> kOps = {
      // Convolution and matrix products.
      {"Conv", {}},
      {"ConvTranspose", {}},
      {"MatMul", {}},
      {"Gemm", {}},
      // Pooling.
      {"MaxPool", {}},
      {"AveragePool", {}},
      {"GlobalAveragePool", {}},
      {"GlobalMaxPool", {}},
      // Activations.
      {"Relu", {}},
      {"LeakyRelu", {}},
      {"PRelu", {}},
      {"Clip", {}},
      {"Sigmoid", {}},
      {"Tanh", {}},
      {"HardSigmoid", {}},
      {"HardSwish", {}},
      {"Gelu", {}},
      {"Erf", {}},
      {"Elu", {}},
      {"Selu", {}},
      {"Softplus", {}},
      {"Softsign", {}},
      // Elementwise.
      {"Add", {}},
      {"Sub", {}},
      {"Mul", {}},
      {"Div", {}},
      {"Pow", {{1}}},
      {"Sqrt", {}},
      {"Neg", {}},
      {"Abs", {}},
      {"Exp", {}},
      {"Log", {}},
      {"Reciprocal", {}},
      {"Max", {}},
      {"Min", {}},
      {"Sum", {}},
      {"Mean", {}},
      // Softmax and normalisation.
      {"Softmax", {}},
      {"BatchNormalization", {}},
      {"LayerNormalization", {}},
      {"InstanceNormalization", {}},
      {"ReduceMean", {}},
      {"ReduceSum", {}},
      // Data movement.
      {"Concat", {}},
      {"Reshape", {}},
      {"Flatten", {}},
      {"Transpose", {}},
      {"Squeeze", {}},
      {"Unsqueeze", {}},
      {"Slice", {}},
      {"Gather", {{1}}},
      {"Split", {}},
      {"Pad", {}},
      {"Resize", {}},
      {"Identity", {}},
      {"Cast", {}},
      {"Constant", {}},
      // Quantised ops, in int8.
      {"QuantizeLinear", {}},
      {"DequantizeLinear", {}},
      {"QLinearConv", {}},
      {"QLinearMatMul", {}},
      {"MatMulInteger", {{}, true}},
      {"ConvInteger", {{}, true}},
  };
  return kOps;
}

const OpRule* find_rule(const ir::Node& node) {
  if (node.domain.empty() || node.domain == "ai.onnx") {
    auto it = onnx_ops().find(node.op_type);
    return it == onnx_ops().end() ? nullptr : &it->second;
  }
  // Made by the graph passes: FusedConv and FusedMatMul from Conv and MatMul and what follows
  // them (their references compose f16 kernels), LayerNormalization and Gelu from the written-out
  // forms (ONNX's definitions, whose references compute half types through double), and
  // MultiHeadAttention from MatMul, Softmax and Transpose, which the VNPU ran before they fused
  // (its reference computes half types through double too).
  static const std::map<std::string, OpRule, std::less<>> kTandemOps = {
      {"FusedConv", {}}, {"FusedMatMul", {}}, {"LayerNormalization", {}}, {"Gelu", {}},
      {"MultiHeadAttention", {}}};
  if (node.domain != "com.tandem") return nullptr;
  auto it = kTandemOps.find(node.op_type);
  return it == kTandemOps.end() ? nullptr : &it->second;
}

bool has_subgraphs(const ir::Node& node) {
  for (const auto& [key, attribute] : node.attributes)
    if (std::holds_alternative<ir::GraphPtr>(attribute) ||
        std::holds_alternative<std::vector<ir::GraphPtr>>(attribute))
      return true;
  return false;
}

bool is_computable(ElementType type, bool integer_output) {
  switch (type) {
    case ElementType::F32:  // stored and computed as f16
    case ElementType::F16:
    case ElementType::I8:
    case ElementType::U8:
    case ElementType::Bool:
      return true;
    case ElementType::I32:
      return integer_output;
    default:
      return false;
  }
}

std::string type_refusal(std::string_view which, size_t index, const ir::Node& node,
                         const ValueType& type) {
  if (type.element_type == ElementType::I64)
    return fmt::format("VNPU has no int64 arithmetic: {} {} of '{}' is {}", which, index, node.name,
                       to_string(type));
  return fmt::format("VNPU computes in f16 and int8: {} {} of '{}' is {}", which, index, node.name,
                     to_string(type));
}

devices::Support refuse(std::string reason) { return {false, std::move(reason)}; }

bool is_constant(const execution::NodeInfo& info, size_t input) {
  return input < info.constants.size() && info.constants[input];
}

std::string static_shape_refusal(std::string_view which, size_t index, const ir::Node& node,
                                 const ValueType& type) {
  return fmt::format("VNPU needs static shapes; {} {} of '{}' is {}: reshape the model first",
                     which, index, node.name, to_string(type));
}

// Inputs: static shapes, and computed ones only of the types the VNPU computes in; "" if fine.
std::string input_refusal(const execution::NodeInfo& info) {
  for (size_t i = 0; i < info.input_types.size(); ++i) {
    const ValueType* type = info.input_types[i];
    if (type && type->is_tensor() && !type->shape.is_static())
      return static_shape_refusal("input", i, info.node, *type);
  }
  for (size_t i = 0; i < info.input_types.size(); ++i) {
    const ValueType* type = info.input_types[i];
    if (type && !is_constant(info, i) &&
        (!type->is_tensor() || !is_computable(type->element_type, false)))
      return type_refusal("input", i, info.node, *type);
  }
  return {};
}

// Outputs: static shapes and the types the VNPU computes in; "" if fine.
std::string output_refusal(const execution::NodeInfo& info, const OpRule& rule) {
  const ir::Node& node = info.node;
  for (size_t i = 0; i < info.output_types.size() && i < node.outputs.size(); ++i) {
    const ValueType& type = info.output_types[i];
    if (node.outputs[i].empty()) continue;
    if (!type.is_tensor() || !type.shape.is_static())
      return static_shape_refusal("output", i, node, type);
    if (!is_computable(type.element_type, rule.integer_output))
      return type_refusal("output", i, node, type);
  }
  return {};
}

class VnpuDevice : public devices::Device {
 public:
  devices::DeviceInfo info() const override {
    return devices::DeviceInfo{
        .name = "VNPU",
        .full_name = "tandem virtual NPU (a software device on the CPU, not an accelerator)",
        .is_virtual = true,
        .dynamic_shapes = false,
        .precisions = {"f16", "int8"},
        .memory = fmt::format("{} GiB of its own memory (virtual)", kDeviceMemoryBytes >> 30),
        .throughput_streams = 1};
  }

  devices::Diagnosis diagnose() const override {
    devices::Diagnosis d("VNPU");
    d.check("a software device", true, "built in; runs on the CPU, needs no driver or hardware");
    return d;
  }

  devices::Support supports(const execution::NodeInfo& info) const override {
    const ir::Node& node = info.node;
    if (has_subgraphs(node))
      return refuse(
          fmt::format("VNPU runs no control flow or subgraphs ({} '{}')", node.op_type, node.name));
    const OpRule* rule = find_rule(node);
    if (!rule)
      return refuse(fmt::format(
          "VNPU does not run {}{}: it is not in the NPU op set (convolution, matmul, pooling, "
          "activations, elementwise, softmax, normalisation, data movement, int8 quantised ops)",
          node.domain.empty() ? "" : node.domain + ":", node.op_type));
    std::string reason = input_refusal(info);
    if (reason.empty()) reason = output_refusal(info, *rule);
    for (size_t i : rule->constant_inputs)
      if (reason.empty() && i < info.input_types.size() && info.input_types[i] &&
          !is_constant(info, i))
        reason = fmt::format(
            "VNPU runs {} only with input {} known at compile time; in '{}' it is computed",
            node.op_type, i, node.name);
    return {reason.empty(), reason};
  }

  std::unique_ptr<devices::Executable> compile(
      std::shared_ptr<const ir::Model> subgraph,
      const devices::CompileOptions& options) const override {
    return std::make_unique<VnpuExecutable>(std::move(subgraph), options);
  }

  std::string save(const devices::Executable& executable) const override {
    const auto* vnpu = dynamic_cast<const VnpuExecutable*>(&executable);
    if (!vnpu)
      throw Error(ErrorKind::InvalidArgument, "VNPU: save: the executable was not compiled by the VNPU");
    return vnpu->save();
  }

  std::unique_ptr<devices::Executable> load(std::string_view payload,
                                            const devices::CompileOptions& options) const override {
    return VnpuExecutable::load(payload, options);
  }

  Value copy_to_device(const Value& host) const override {
    if (!host.is_tensor())
      throw Error(
          ErrorKind::InvalidArgument,
          "VNPU: copy_to_device takes tensors; sequences, maps and optionals stay on the host");
    return to_device(host.tensor(), device_memory());
  }

  Value copy_to_host(const Value& on_device, const ValueType& type) const override {
    if (!on_device.is_tensor())
      throw Error(ErrorKind::InvalidArgument, "VNPU: copy_to_host takes tensors of VNPU memory");
    return to_host(on_device.tensor(), type.element_type);
  }

  ElementType storage_type(ElementType logical) const override { return vnpu::storage_type(logical); }
};

}  // namespace

const devices::Device& vnpu_device() {
  static const VnpuDevice device;
  return device;
}

}  // namespace tandem::vnpu
