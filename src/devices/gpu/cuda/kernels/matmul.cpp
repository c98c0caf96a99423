// MatMul, Gemm and FusedMatMul on cuBLASLt. ONNX's matrices are row-major and cuBLAS's
// column-major: the row-major Y = op(A) op(B) is the column-major Y^T = op(B)^T op(A)^T, so every
// product passes B's data as cuBLAS's first operand and A's as its second, and nothing is ever
// transposed. Descriptors and algorithms are chosen here, once; launch() only enqueues.
#include "devices/gpu/cuda/kernels/matmul.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/kernels/activation.h"
#include "devices/gpu/cuda/kernels/library_data_types.h"
#include "ops/math/fused_matmul.h"
#include "ops/math/matmul_plan.h"
#include "ops/nn/fused_conv.h"
#include "ops/node_context.h"
#include "ops/tandem_domain.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

// Hopper's fastest cuBLASLt kernels want up to 32 MiB of scratch; the kernel asks for what the
// chosen algorithm needs.
constexpr uint64_t kMaxWorkspace = uint64_t(32) << 20;
// The pointer alignment the fast algorithms are chosen for. Executor buffers are at least this
// aligned; a less aligned pointer (a view into a tensor, a broadcast batch's offset) runs the
// algorithm chosen for the element size instead.
constexpr uint32_t kFastAlignment = 16;

using Desc = std::unique_ptr<std::remove_pointer_t<cublasLtMatmulDesc_t>,
                             decltype(&cublasLtMatmulDescDestroy)>;
using Layout = std::unique_ptr<std::remove_pointer_t<cublasLtMatrixLayout_t>,
                               decltype(&cublasLtMatrixLayoutDestroy)>;
using Preference = std::unique_ptr<std::remove_pointer_t<cublasLtMatmulPreference_t>,
                                   decltype(&cublasLtMatmulPreferenceDestroy)>;

template <class T>
void set(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attribute, const T& value) {
  check(cublasLtMatmulDescSetAttribute(desc, attribute, &value, sizeof(value)),
        "cublasLtMatmulDescSetAttribute");
}

// A column-major matrix of `rows` x `cols` with leading dimension `ld`, `batch` of them `stride`
// elements apart.
Layout make_layout(cudaDataType_t type, int64_t rows, int64_t cols, int64_t ld, int64_t batch,
                   int64_t stride) {
  cublasLtMatrixLayout_t layout = nullptr;
  check(cublasLtMatrixLayoutCreate(&layout, type, uint64_t(rows), uint64_t(cols), ld),
        "cublasLtMatrixLayoutCreate");
  Layout owned(layout, cublasLtMatrixLayoutDestroy);
  if (batch > 1) {
    const int32_t count = int32_t(batch);
    check(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count,
                                           sizeof(count)),
          "cublasLtMatrixLayoutSetAttribute (batch count)");
    check(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                                           &stride, sizeof(stride)),
          "cublasLtMatrixLayoutSetAttribute (batch stride)");
  }
  return owned;
}

// One cuBLASLt product in ONNX's row-major terms: `batch` products of op(A) [m, k] and op(B)
// [k, n], their matrices `a_stride` and `b_stride` elements apart (Y's m * n apart).
struct Product {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  int64_t batch = 1, a_stride = 0, b_stride = 0;
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  const void* bias = nullptr;  // the BIAS epilogues' vector: n values, on the device
};

// A product's descriptors and the algorithms chosen for it.
class LtMatmul {
 public:
  LtMatmul(const Product& p, ElementType type, cublasLtHandle_t handle)
      : desc_(nullptr, cublasLtMatmulDescDestroy),
        a_(nullptr, cublasLtMatrixLayoutDestroy),
        b_(nullptr, cublasLtMatrixLayoutDestroy),
        y_(nullptr, cublasLtMatrixLayoutDestroy) {
    const cudaDataType_t t = cuda_type(type, "GPU: cuBLASLt products of {} are not supported");
    cublasLtMatmulDesc_t desc = nullptr;
    // f32 accumulation for every storage type; CUBLAS_COMPUTE_32F never rounds f32 to TF32.
    check(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F),
          "cublasLtMatmulDescCreate");
    desc_.reset(desc);
    // cuBLAS's first operand is B's data, its second A's.
    set(desc, CUBLASLT_MATMUL_DESC_TRANSA, p.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N);
    set(desc, CUBLASLT_MATMUL_DESC_TRANSB, p.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N);
    if (p.epilogue != CUBLASLT_EPILOGUE_DEFAULT)
      set(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, p.epilogue);
    if (p.bias) {
      set(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, p.bias);
      set(desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, int32_t(t));
    }
    // B [k, n] row-major is column-major n x k; transposed, B [n, k] is column-major k x n.
    b_ = make_layout(t, p.trans_b ? p.k : p.n, p.trans_b ? p.n : p.k, p.trans_b ? p.k : p.n,
                     p.batch, p.b_stride);
    a_ = make_layout(t, p.trans_a ? p.m : p.k, p.trans_a ? p.k : p.m, p.trans_a ? p.m : p.k,
                     p.batch, p.a_stride);
    y_ = make_layout(t, p.n, p.m, p.n, p.batch, p.m * p.n);
    // Every batch's matrices start where the first's do plus a stride: those offsets count for
    // their alignment as much as the base pointers do.
    if (p.batch > 1)
      stride_bits_ = uintptr_t((p.a_stride | p.b_stride | p.m * p.n) * int64_t(element_size(type)));
    fast_ = choose(handle, kFastAlignment);
    fallback_ = choose(handle, uint32_t(element_size(type)));
    if (!fast_ && !fallback_)
      throw Error(ErrorKind::Unsupported,
                  fmt::format("GPU: cuBLASLt has no algorithm for a {} product of [{},{}] x [{},{}]"
                              " (batch {})",
                              to_string(type), p.m, p.k, p.k, p.n, p.batch));
  }

  size_t workspace_bytes() const {
    return std::max(fast_ ? fast_->workspaceSize : 0, fallback_ ? fallback_->workspaceSize : 0);
  }

  // Y = alpha op(A) op(B) + beta C, then the epilogue; c is Y when beta is 0.
  void run(const Launch& launch, const float* alpha, const void* a, const void* b,
           const float* beta, const void* c, void* y) const {
    const uintptr_t bits = uintptr_t(a) | uintptr_t(b) | uintptr_t(c) | uintptr_t(y) | stride_bits_;
    const std::optional<cublasLtMatmulHeuristicResult_t>& chosen =
        fast_ && bits % kFastAlignment == 0 ? fast_ : fallback_;
    if (!chosen)
      throw Error(ErrorKind::Runtime,
                  "GPU: cuBLASLt has no algorithm for operands aligned to less than 16 bytes");
    check(cublasLtMatmul(launch.handles->cublas_lt, desc_.get(), alpha, b, b_.get(), a, a_.get(),
                         beta, c, y_.get(), y, y_.get(), &chosen->algo, launch.workspace,
                         chosen->workspaceSize, launch.stream),
          "cublasLtMatmul");
  }

 private:
  std::optional<cublasLtMatmulHeuristicResult_t> choose(cublasLtHandle_t handle,
                                                        uint32_t alignment) const {
    cublasLtMatmulPreference_t preference = nullptr;
    check(cublasLtMatmulPreferenceCreate(&preference), "cublasLtMatmulPreferenceCreate");
    const Preference owned(preference, cublasLtMatmulPreferenceDestroy);
    const auto prefer = [&](cublasLtMatmulPreferenceAttributes_t attribute, const auto& value) {
      check(cublasLtMatmulPreferenceSetAttribute(preference, attribute, &value, sizeof(value)),
            "cublasLtMatmulPreferenceSetAttribute");
    };
    prefer(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, kMaxWorkspace);
    for (const auto attribute :
         {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
          CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
      prefer(attribute, alignment);
    cublasLtMatmulHeuristicResult_t result{};
    int count = 0;
    const cublasStatus_t status =
        cublasLtMatmulAlgoGetHeuristic(handle, desc_.get(), b_.get(), a_.get(), y_.get(), y_.get(),
                                       preference, 1, &result, &count);
    // A result's fields are valid only where its state is success (cublasLt.h).
    if (status == CUBLAS_STATUS_NOT_SUPPORTED ||
        (status == CUBLAS_STATUS_SUCCESS && (count == 0 || result.state != CUBLAS_STATUS_SUCCESS)))
      return std::nullopt;
    check(status, "cublasLtMatmulAlgoGetHeuristic");
    return result;
  }

  Desc desc_;
  Layout a_, b_, y_;  // A's data (cuBLAS's second operand), B's (its first), Y's and C's
  std::optional<cublasLtMatmulHeuristicResult_t> fast_, fallback_;
  uintptr_t stride_bits_ = 0;  // the batch strides in bytes, or-ed: their alignment
};

// A cuBLASLt call's element offsets into A, B and Y, for batches that broadcast irregularly.
struct Call {
  int64_t a = 0, b = 0, y = 0;
};

// What a node's kernel runs, read from the node.
struct Plan {
  std::string op;  // for the kernel's name
  Product product;
  std::vector<Call> calls{Call{}};
  float alpha = 1.0f, beta = 0.0f;
  int c_input = -1;  // Gemm's C of Y's shape, cuBLASLt's C
  // Constant inputs uploaded at compile time, by input index (Gemm's row of C scaled by beta).
  std::array<std::optional<Tensor>, 3> held;
  int bias_input = -1;  // the held input cuBLASLt's BIAS epilogues add
  // The epilogue kernel, where cuBLASLt's cannot do it all: the addend's input (-1: none) and
  // how it broadcasts, and the activation.
  bool post = false;
  int addend_input = -1;
  matmul::Addend addend;
  DeviceActivation activation;
  int64_t rows = 0, cols = 0;  // Y as the epilogue kernel sees it
};

Error unsupported(const ops::NodeContext& ctx, const std::string& what) {
  return ctx.error(ErrorKind::Unsupported, "GPU: {}", what);
}

void check_float(const GpuNode& node, const ops::NodeContext& ctx, size_t input) {
  const ElementType t = node.input_types.at(input);
  if (t != ElementType::F32 && t != ElementType::F16 && t != ElementType::BF16)
    throw unsupported(ctx, fmt::format("input {} is {}; the GPU multiplies f32, f16 and bf16",
                                       input, to_string(t)));
}

// The epilogue cuBLASLt computes exactly as the reference does for a bias (or none) and an
// activation, if any: its GELU is the tanh approximation, and in f32 it is left to the epilogue
// kernel's tanhf, whose error the f32 checks bound tighter.
std::optional<cublasLtEpilogue_t> lt_epilogue(bool bias, ops::ActivationKind kind,
                                              ElementType type) {
  switch (kind) {
    case ops::ActivationKind::None:
      return bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
    case ops::ActivationKind::Relu:
      return bias ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_RELU;
    case ops::ActivationKind::GeluTanh:
      if (type == ElementType::F32) return std::nullopt;
      return bias ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_GELU;
    default:
      return std::nullopt;
  }
}

// MatMul's batches (numpy broadcasting) as one call: folded into the rows where every product
// reads the same B and consecutive As, strided where both step evenly; else one call per product.
void plan_batches(const ops::MatMulPlan& mm, Plan& plan) {
  Product& p = plan.product;
  p.m = mm.m;
  p.n = mm.n;
  p.k = mm.k;
  const int64_t count = int64_t(mm.a_offsets.size());
  plan.rows = count * mm.m;
  plan.cols = mm.n;
  if (mm.folds_into_m) {
    p.m *= count;
    return;
  }
  if (count == 1) return;  // both offsets are 0
  const int64_t a_stride = mm.a_offsets[1], b_stride = mm.b_offsets[1];
  // A stride of 0 (one operand shared by every product) goes the per-call way, which needs no
  // promise from cuBLASLt about broadcast batches.
  bool strided = a_stride > 0 && b_stride > 0 && count <= std::numeric_limits<int32_t>::max();
  for (int64_t i = 0; strided && i < count; ++i)
    strided = mm.a_offsets[size_t(i)] == i * a_stride && mm.b_offsets[size_t(i)] == i * b_stride;
  if (strided) {
    p.batch = count;
    p.a_stride = a_stride;
    p.b_stride = b_stride;
    return;
  }
  plan.calls.clear();
  for (int64_t i = 0; i < count; ++i)
    plan.calls.push_back({mm.a_offsets[size_t(i)], mm.b_offsets[size_t(i)], i * mm.m * mm.n});
}

void hold_constants(const GpuNode& node, Plan& plan, size_t inputs) {
  for (size_t i = 0; i < inputs && i < node.constants.size(); ++i)
    if (node.constants[i]) plan.held[i] = *node.constants[i];
}

Plan plan_matmul(const GpuNode& node, const ops::NodeContext& ctx, bool fused) {
  Plan plan;
  plan.op = fused ? "fused_matmul" : "matmul";
  check_float(node, ctx, 0);
  check_float(node, ctx, 1);
  const ops::MatMulPlan mm =
      ops::plan_matmul(ctx, node.input_shapes.at(0), node.input_shapes.at(1));
  if (mm.m == 0 || mm.n == 0 || mm.k == 0 || mm.a_offsets.empty())
    throw unsupported(ctx, "an empty matrix product");
  plan_batches(mm, plan);
  if (!fused) {
    hold_constants(node, plan, 2);
    return plan;
  }
  const ops::Activation activation = ops::read_activation(ctx);
  plan.activation = device_activation(activation);
  const size_t bias = ops::kFusedMatMulBiasInput;
  const bool has_bias = ctx.has_input(bias);
  if (has_bias) {
    check_float(node, ctx, bias);
    const Shape& shape = node.input_shapes.at(bias);
    if (shape.size() != 1 || shape[0] != mm.n)
      throw unsupported(ctx,
                        fmt::format("Bias has shape {}, expected [{}]", to_string(shape), mm.n));
  }
  hold_constants(node, plan, has_bias ? 3 : 2);
  // cuBLASLt adds a constant bias (its pointer fixed now) to products it makes in one batch.
  const bool lt_bias = has_bias && plan.held[bias] && plan.product.batch == 1;
  if (lt_bias) plan.bias_input = int(bias);
  if (const auto e = lt_epilogue(lt_bias, activation.kind, node.compute);
      e && (lt_bias || !has_bias)) {
    plan.product.epilogue = *e;
    return plan;
  }
  plan.post = true;
  if (lt_bias) {
    plan.product.epilogue = CUBLASLT_EPILOGUE_BIAS;
  } else if (has_bias) {
    plan.addend_input = int(bias);
    plan.addend.col_stride = 1;  // one value per column, repeated down the rows
  }
  return plan;
}

Plan plan_gemm(const GpuNode& node, const ops::NodeContext& ctx) {
  Plan plan;
  plan.op = "gemm";
  check_float(node, ctx, 0);
  check_float(node, ctx, 1);
  const Shape& a = node.input_shapes.at(0);
  const Shape& b = node.input_shapes.at(1);
  if (a.size() != 2 || b.size() != 2)
    throw unsupported(ctx, fmt::format("A {} and B {} must be 2-D", to_string(a), to_string(b)));
  Product& p = plan.product;
  p.trans_a = ctx.attr<int64_t>("transA", 0) != 0;
  p.trans_b = ctx.attr<int64_t>("transB", 0) != 0;
  p.m = a[p.trans_a ? 1 : 0];
  p.k = a[p.trans_a ? 0 : 1];
  p.n = b[p.trans_b ? 0 : 1];
  if (b[p.trans_b ? 1 : 0] != p.k)
    throw unsupported(
        ctx, fmt::format("inner dimensions differ: A {}, B {}", to_string(a), to_string(b)));
  if (p.m == 0 || p.n == 0 || p.k == 0) throw unsupported(ctx, "an empty matrix product");
  plan.rows = p.m;
  plan.cols = p.n;
  plan.alpha = ctx.attr<float>("alpha", 1.0f);
  hold_constants(node, plan, 2);
  const float beta = ctx.attr<float>("beta", 1.0f);
  if (!ctx.has_input(2) || beta == 0.0f) return plan;
  check_float(node, ctx, 2);
  const Shape& c = node.input_shapes.at(2);
  const int64_t cm = c.size() == 2 ? c[0] : 1, cn = c.empty() ? 1 : c.back();
  if (c.size() > 2 || (cm != 1 && cm != p.m) || (cn != 1 && cn != p.n))
    throw unsupported(
        ctx, fmt::format("C of shape {} does not broadcast to [{},{}]", to_string(c), p.m, p.n));
  if (ctx.opset() < 7 && ctx.attr<int64_t>("broadcast", 0) == 0 && c != Shape{p.m, p.n})
    throw unsupported(ctx, fmt::format("C has shape {}, expected [{},{}] (broadcast is 0 before "
                                       "opset 7)",
                                       to_string(c), p.m, p.n));
  const Tensor* constant = node.constants.size() > 2 ? node.constants[2] : nullptr;
  if (constant && cm == 1 && cn == p.n) {
    // A constant row: cuBLASLt's bias, scaled by beta now.
    Tensor row(ElementType::F32, {p.n});
    const std::vector<double> values = constant->to_double();
    for (int64_t j = 0; j < p.n; ++j) row.data<float>()[j] = beta * float(values[size_t(j)]);
    plan.held[2] = std::move(row);
    plan.bias_input = 2;
    p.epilogue = CUBLASLT_EPILOGUE_BIAS;
  } else if (cm == p.m && cn == p.n) {
    plan.c_input = 2;
    plan.beta = beta;
    if (constant) plan.held[2] = *constant;
  } else {
    plan.post = true;
    plan.addend_input = 2;
    plan.addend = {nullptr, cm == 1 ? 0 : cn, cn == 1 ? 0 : 1, beta};
    if (constant) plan.held[2] = *constant;
  }
  return plan;
}

class MatMulKernel final : public GpuKernel {
 public:
  MatMulKernel(Plan plan, ElementType type, cublasLtHandle_t handle)
      : name_(fmt::format("cublaslt_{}_{}", plan.op, to_string(type))), type_(type) {
    for (size_t i = 0; i < plan.held.size(); ++i)
      if (plan.held[i]) held_[i] = upload(*plan.held[i], type);
    if (plan.bias_input >= 0) plan.product.bias = held_[size_t(plan.bias_input)].get();
    lt_.emplace(plan.product, type, handle);
    plan_ = std::move(plan);
    plan_.held = {};  // on the device now
  }

  std::string_view name() const override { return name_; }
  size_t workspace_bytes() const override { return lt_->workspace_bytes(); }

  void launch(const Launch& launch) const override {
    const size_t size = element_size(type_);
    const auto* a = static_cast<const char*>(input(launch, 0));
    const auto* b = static_cast<const char*>(input(launch, 1));
    auto* y = static_cast<char*>(launch.outputs[0]);
    const void* c = plan_.c_input >= 0 ? input(launch, size_t(plan_.c_input)) : nullptr;
    for (const Call& call : plan_.calls) {
      void* y_call = y + call.y * size;
      lt_->run(launch, &plan_.alpha, a + call.a * size, b + call.b * size, &plan_.beta,
               c ? c : y_call, y_call);
    }
    if (!plan_.post) return;
    matmul::Addend addend = plan_.addend;
    if (plan_.addend_input >= 0) addend.data = input(launch, size_t(plan_.addend_input));
    matmul::epilogue(type_, y, plan_.rows, plan_.cols, addend, plan_.activation, launch.stream);
  }

 private:
  // A constant input from its upload, any other from the launch.
  const void* input(const Launch& launch, size_t i) const {
    return held_[i].get() ? held_[i].get() : launch.inputs[i];
  }

  std::string name_;
  ElementType type_;
  std::array<DeviceBuffer, 3> held_;
  Plan plan_;
  std::optional<LtMatmul> lt_;
};

}  // namespace

std::unique_ptr<GpuKernel> make_matmul_kernel(const GpuNode& node) {
  const ir::Node& n = node.node;
  const bool onnx = n.domain.empty() || n.domain == "ai.onnx";
  const bool fused = n.domain == ops::kTandemDomain && n.op_type == "FusedMatMul";
  if (!fused && !(onnx && (n.op_type == "MatMul" || n.op_type == "Gemm"))) return nullptr;
  const ops::NodeContext ctx(n, node.opset);
  if (!node.handles || !node.handles->cublas_lt)
    throw ctx.error(ErrorKind::Runtime, "GPU: no cuBLASLt handle to choose an algorithm with");
  Plan plan = n.op_type == "Gemm" ? plan_gemm(node, ctx) : plan_matmul(node, ctx, fused);
  return std::make_unique<MatMulKernel>(std::move(plan), node.compute, node.handles->cublas_lt);
}

}  // namespace tandem::gpu
