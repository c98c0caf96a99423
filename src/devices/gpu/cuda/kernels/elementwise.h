// Pointwise kernels: unary math and activations, Clip, Add/Sub/Mul/Div/Pow with numpy
// broadcasting, and Cast. elementwise_node.cpp reads a node and plans its kernel on the host;
// elementwise.cu runs the plans (this header is their plain interface).
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "devices/gpu/cuda/gpu_kernel.h"

namespace tandem::gpu {

/// The kernel of an elementwise node (elementwise_support accepted it); null for another op.
std::unique_ptr<GpuKernel> make_elementwise_kernel(const GpuNode& node);

namespace elementwise {

enum class UnaryOp : int {
  Relu,
  LeakyRelu,  // alpha
  Sigmoid,
  Tanh,
  Erf,
  Gelu,
  GeluTanh,
  Exp,
  Log,
  Sqrt,
  Neg,
  Abs,
  Reciprocal,
  Clip,         // [alpha, beta]
  HardSigmoid,  // alpha * x + beta, clamped to [0, 1]
  HardSwish,
  Softplus,
  Elu,          // alpha
  Pow,          // x ^ alpha: Pow by a constant scalar exponent
};

struct UnaryParams {
  UnaryOp op = UnaryOp::Relu;
  float alpha = 0.0f, beta = 0.0f;
};

enum class BinaryOp : int { Add, Sub, Mul, Div, Pow };

inline constexpr int kMaxRank = 6;

/// Where each output element of a broadcast binary op reads its operands. rank 0: both operands
/// are read flat, at the output's index, or at 0 where `a_scalar`/`b_scalar`. Otherwise the output
/// index splits over `dims` (row-major, collapsed: size-1 dimensions dropped and neighbours that
/// broadcast alike merged) and an operand's offset is the sum of index times its stride (0 where
/// it broadcasts).
struct BroadcastPlan {
  int64_t n = 0;  // output elements, < 2^31
  int rank = 0;
  bool a_scalar = false, b_scalar = false;
  std::array<int32_t, kMaxRank> dims{}, a_strides{}, b_strides{};
};

/// y = op(x) over n elements of storage type `type` (F32, F16, BF16), computed in f32.
void unary(ElementType type, const UnaryParams& params, const void* x, void* y, int64_t n,
           cudaStream_t stream);
/// y = op(a, b), both operands and the output of storage type `type`.
void binary(ElementType type, BinaryOp op, const BroadcastPlan& plan, const void* a,
            const void* b, void* y, cudaStream_t stream);

/// Whether cast() converts `from` to `to`: among F32, F16, BF16, I32, I64 and Bool.
bool castable(ElementType from, ElementType to);
/// y = x converted, n elements; floats to integers truncate toward zero; `truncate_bf16` rounds
/// to bfloat16 by dropping the low half (Cast before opset 19) instead of to nearest even.
void cast(ElementType from, ElementType to, bool truncate_bf16, const void* x, void* y, int64_t n,
          cudaStream_t stream);

}  // namespace elementwise
}  // namespace tandem::gpu
