// oneDNN kernels for ONNX MatMul of f32 tensors of static shapes: with constant weights (linear
// layers, packed once) and with both operands computed (attention's Q·Kᵀ and P·V); batched A,
// numpy broadcasting of batch dimensions; 1-D operands are left to the reference kernel. Under
// INFERENCE_PRECISION_HINT=bf16 the product is taken in bf16 (see PackedMatMul). tandem's
// FusedMatMul (a linear layer with constant weights) adds its bias as oneDNN's and applies its
// activation as an eltwise post-op.
#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"

#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_matmul_primitive.h"
#include "ops/math/fused_matmul.h"
#include "ops/nn/fused_conv.h"
#include "ops/registry.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>

namespace tandem::cpu {
namespace {

using dims = dnnl::memory::dims;

class MatMulKernel final : public Kernel {
 public:
  MatMulKernel(Shape a_shape, const Tensor& weights, const Tensor& bias,
               std::unique_ptr<PackedMatMul> matmul, ops::KernelFn reference)
      : a_shape_(std::move(a_shape)),
        b_shape_(weights.shape()),
        bias_(bias),
        matmul_(std::move(matmul)),
        reference_(reference) {}

  std::string_view name() const override {
    return matmul_->compute() == ElementType::BF16 ? "onednn_matmul_bf16" : "onednn_matmul_f32";
  }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    // The primitive was built for the shapes and bias known at compile time; anything else
    // (which the planner should never let through) gets the exact reference behaviour.
    if (a.element_type() != ElementType::F32 || a.shape() != a_shape_ ||
        (bias_.is_valid() && ctx.input(ops::kFusedMatMulBiasInput).data() != bias_.data())) {
      run_matmul_reference(ctx, 1, *matmul_, b_shape_, reference_);
      return;
    }
    matmul_->execute(a.data(), pooled_output(ctx, 0).data());
  }

  bool holds_input(size_t i) const override { return i == 1 && matmul_->weights_exact(); }
  Tensor held_input(size_t i) const override {
    return holds_input(i) ? unpacked_weights(*matmul_, b_shape_) : Kernel::held_input(i);
  }

 private:
  Shape a_shape_, b_shape_;
  Tensor bias_;  // FusedMatMul's constant bias, whose address identifies it at run time; invalid without one
  std::unique_ptr<PackedMatMul> matmul_;
  ops::KernelFn reference_;
};

class InputsMatMulKernel final : public Kernel {
 public:
  InputsMatMulKernel(Shape a_shape, Shape b_shape, std::unique_ptr<MatMulOfInputs> matmul,
                     ops::KernelFn reference)
      : a_shape_(std::move(a_shape)),
        b_shape_(std::move(b_shape)),
        matmul_(std::move(matmul)),
        reference_(reference) {}

  std::string_view name() const override {
    return matmul_->compute() == ElementType::BF16 ? "onednn_matmul_bf16" : "onednn_matmul_f32";
  }

  void run(ops::KernelContext& ctx) const override {
    const Tensor &a = ctx.input(0), &b = ctx.input(1);
    // Built for the shapes known at compile time; anything else (which the planner should never
    // let through) gets the exact reference behaviour.
    if (a.element_type() != ElementType::F32 || b.element_type() != ElementType::F32 ||
        a.shape() != a_shape_ || b.shape() != b_shape_) {
      reference_(ctx);
      return;
    }
    matmul_->execute(a.data(), b.data(), pooled_output(ctx, 0).data());
  }

 private:
  Shape a_shape_, b_shape_;
  std::unique_ptr<MatMulOfInputs> matmul_;
  ops::KernelFn reference_;
};

// The oneDNN problem for A·B, or nullopt where the batch dimensions do not broadcast.
struct Problem {
  dims src, weights, dst;
};

std::optional<Problem> problem_of(const Shape& a, const Shape& b) {
  const int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  if (b[b.size() - 2] != k) return std::nullopt;
  // B without batch (the linear layer): every batch of A folds into the rows of one 2-D matmul.
  if (std::all_of(b.begin(), b.end() - 2, [](int64_t d) { return d == 1; })) {
    const int64_t rows = std::accumulate(a.begin(), a.end() - 1, int64_t(1), std::multiplies<>());
    return Problem{{rows, k}, {k, n}, {rows, n}};
  }
  const size_t rank = std::max(a.size(), b.size());
  Problem p{dims(rank, 1), dims(rank, 1), dims(rank, 1)};
  std::copy(a.begin(), a.end(), p.src.end() - int64_t(a.size()));
  std::copy(b.begin(), b.end(), p.weights.end() - int64_t(b.size()));
  for (size_t i = 0; i + 2 < rank; ++i) {
    if (p.src[i] != p.weights[i] && p.src[i] != 1 && p.weights[i] != 1) return std::nullopt;
    p.dst[i] = std::max(p.src[i], p.weights[i]);
  }
  p.dst[rank - 2] = m;
  p.dst[rank - 1] = n;
  return p;
}

// What FusedMatMul does after the product: add a constant bias (null for none) and activate.
struct Fusion {
  const Tensor* bias = nullptr;
  ops::Activation activation;
  bool is_empty() const { return !bias && activation.kind == ops::ActivationKind::None; }
};

// MatMul's fusion (an empty one) or FusedMatMul's; nullopt for other nodes and for a FusedMatMul
// whose bias is no f32 constant or whose activation is malformed (the reference reports it).
std::optional<Fusion> fusion_of(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (node.op_type == "MatMul" && node.domain.empty())
    return node.inputs.size() == 2 ? std::optional(Fusion{}) : std::nullopt;
  if (node.op_type != "FusedMatMul" || node.domain != ops::kTandemDomain || node.inputs.size() < 2 ||
      node.inputs.size() > 3)
    return std::nullopt;
  Fusion fusion;
  try {
    fusion.activation = ops::read_activation(ops::NodeContext(node, info.opset));
  } catch (const Error&) {
    return std::nullopt;
  }
  const size_t b = ops::kFusedMatMulBiasInput;
  if (b >= node.inputs.size() || node.inputs[b].empty()) return fusion;
  fusion.bias = constant_f32(info, b);
  if (!fusion.bias || fusion.bias->rank() != 1) return std::nullopt;
  return fusion;
}

}  // namespace

std::unique_ptr<Kernel> make_onednn_matmul(const NodeInfo& info) {
  const ir::Node& node = info.node;
  const std::optional<Fusion> fusion = fusion_of(info);
  if (!fusion || info.input_types.size() != node.inputs.size() ||
      !is_static_f32(info.input_types[0]))
    return nullptr;
  const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
  if (!def || !def->reference) return nullptr;
  const Shape a = info.input_types[0]->shape.to_shape();
  const Value* b_value = info.constants[1];
  if (!b_value) {
    if (!fusion->is_empty()) return nullptr;  // FusedMatMul is made for constant weights only
    if (!is_static_f32(info.input_types[1])) return nullptr;
    const Shape b = info.input_types[1]->shape.to_shape();
    if (a.size() < 2 || b.size() < 2 || shape_size(a) == 0 || shape_size(b) == 0) return nullptr;
    const std::optional<Problem> p = problem_of(a, b);
    if (!p) return nullptr;
    auto matmul = fastest<MatMulOfInputs>(info.inference_precision, [&](ElementType compute) {
      return std::make_unique<MatMulOfInputs>(plain_f32_desc(p->src), plain_f32_desc(p->weights),
                                              plain_f32_desc(p->dst), compute);
    });
    if (!matmul) return nullptr;  // the reference runs
    return std::make_unique<InputsMatMulKernel>(a, b, std::move(matmul), def->reference);
  }
  if (!b_value->is_tensor() || b_value->tensor().element_type() != ElementType::F32) return nullptr;
  const Tensor& b = b_value->tensor();
  if (a.size() < 2 || b.rank() < 2 || shape_size(a) == 0 || b.size() == 0) return nullptr;
  const std::optional<Problem> p = problem_of(a, b.shape());
  if (!p) return nullptr;
  std::span<const float> bias;
  if (fusion->bias) {
    if (fusion->bias->size() != p->dst.back()) return nullptr;
    bias = fusion->bias->span<const float>();
  }
  auto matmul = fastest<PackedMatMul>(info.inference_precision, [&](ElementType compute) {
    return std::make_unique<PackedMatMul>(plain_f32_desc(p->src), plain_f32_desc(p->weights),
                                          b.data(), 1.0f, plain_f32_desc(p->dst), compute, bias,
                                          std::span<const float>(), fusion->activation);
  });
  if (!matmul) return nullptr;  // the reference runs
  return std::make_unique<MatMulKernel>(a, b, fusion->bias ? *fusion->bias : Tensor(),
                                        std::move(matmul), def->reference);
}

}  // namespace tandem::cpu
