// oneDNN eltwise kernels for ONNX's unary activations and math on f32 tensors of static shapes:
// Sigmoid, Tanh, Sqrt, Abs, Neg, Reciprocal, Elu, Softplus, Mish, HardSwish, Gelu and Pow with a
// constant scalar exponent (but 0.5), multithreaded and vectorised where the reference runs element
// after element on one thread. What oneDNN 2.6 lacks stays on the reference: Erf (it has only
// gelu_erf) and HardSigmoid; so does what it computes otherwise at the edges: Relu, LeakyRelu and
// Clip turn NaN into 0 or a bound, Exp turns it into inf, and Log is 12 ulp off at 1 (log(1) != 0).
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_same_shape_kernel.h"
#include "ops/node_context.h"
#include "ops/registry.h"
#include "ops/tandem_domain.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;
using Algorithm = dnnl::algorithm;

// oneDNN's y = f(x; alpha, beta) for one node.
struct Eltwise {
  Algorithm algorithm;
  float alpha = 0.0f, beta = 0.0f;
};

// The single value of a constant input, or nullopt where it is absent from the constants or holds
// other than one element.
std::optional<double> constant_scalar(const NodeInfo& info, size_t i) {
  const Tensor* t = constant_tensor(info, i);
  if (!t || t->size() != 1) return std::nullopt;
  return t->to_double()[0];
}

// The oneDNN form of the node, or nullopt where it has none.
std::optional<Eltwise> eltwise_of(const NodeInfo& info) {
  const ops::NodeContext ctx(info.node, info.opset);
  const std::string& op = info.node.op_type;
  const size_t inputs = info.node.inputs.size();
  if (op == "Pow") {
    // x^e with e known: oneDNN's alpha * x^beta. Its x^2 is NaN at -inf: square instead (layer
    // norms written out square their deviations). Its x^0.5 is a square root, NaN at -inf where
    // pow gives inf: the reference keeps it.
    const std::optional<double> exponent = constant_scalar(info, 1);
    if (!exponent || *exponent == 0.5) return std::nullopt;
    if (*exponent == 2.0) return Eltwise{Algorithm::eltwise_square};
    return Eltwise{Algorithm::eltwise_pow, 1.0f, float(*exponent)};
  }
  if (inputs != 1) return std::nullopt;
  if (op == "Sigmoid") return Eltwise{Algorithm::eltwise_logistic};
  if (op == "Tanh") return Eltwise{Algorithm::eltwise_tanh};
  if (op == "Sqrt") return Eltwise{Algorithm::eltwise_sqrt};
  if (op == "Abs") return Eltwise{Algorithm::eltwise_abs};
  if (op == "Neg") return Eltwise{Algorithm::eltwise_linear, -1.0f, 0.0f};
  if (op == "Reciprocal") return Eltwise{Algorithm::eltwise_pow, 1.0f, -1.0f};
  if (op == "Elu") return Eltwise{Algorithm::eltwise_elu, ctx.attr<float>("alpha", 1.0f)};
  if (op == "Softplus") return Eltwise{Algorithm::eltwise_soft_relu};
  if (op == "Mish") return Eltwise{Algorithm::eltwise_mish};
  // ONNX's x * max(0, min(1, x / 6 + 1 / 2)) is oneDNN's x * relu6(x + 3) / 6.
  if (op == "HardSwish") return Eltwise{Algorithm::eltwise_hardswish};
  if (op == "Gelu") {
    const std::string approximate = ctx.attr<std::string>("approximate", "none");
    if (approximate == "none") return Eltwise{Algorithm::eltwise_gelu_erf};
    if (approximate == "tanh") return Eltwise{Algorithm::eltwise_gelu_tanh};
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<Kernel> make_onednn_eltwise(const NodeInfo& info) {
  const ir::Node& node = info.node;
  // tandem's Gelu is ONNX Gelu for models of opsets before 20 (passes/fuse_gelu.cpp).
  const bool tandem_gelu = node.domain == ops::kTandemDomain && node.op_type == "Gelu";
  if (!(node.domain.empty() || node.domain == "ai.onnx" || tandem_gelu) || node.outputs.size() != 1 ||
      info.input_types.empty() || !is_static_f32(info.input_types[0]) ||
      info.output_types.size() != 1 || !is_static_f32(&info.output_types[0]))
    return nullptr;
  const Shape x = info.input_types[0]->shape.to_shape();
  // A Pow whose exponent has more dimensions than x broadcasts x: not an eltwise.
  if (info.output_types[0].shape.to_shape() != x || shape_size(x) == 0) return nullptr;
  std::optional<Eltwise> eltwise;
  try {
    eltwise = eltwise_of(info);
  } catch (const Error&) {
    return nullptr;  // a malformed attribute: the reference reports it
  }
  if (!eltwise) return nullptr;
  try {
    // Elementwise, so any shape is one flat run of elements (a blocked layout's too).
    const auto flat = [eltwise = *eltwise](memory::dim elements) {
      const memory::desc md({elements}, memory::data_type::f32, memory::format_tag::a);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread, see run()
      return dnnl::eltwise_forward::primitive_desc(
          dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, eltwise.algorithm, md,
                                      eltwise.alpha, eltwise.beta),
          attr, cpu_engine());
    };
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    return std::make_unique<OnednnSameShapeKernel<dnnl::eltwise_forward>>("eltwise", x, flat, def->reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
