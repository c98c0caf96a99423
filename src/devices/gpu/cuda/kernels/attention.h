// MultiHeadAttention (com.tandem) on cuBLAS: the scores of each batch and head by one strided
// batched GEMM into f32 scratch, their softmax with the mask by softmax() (attention.cu, this
// header its plain interface), and the weighted sum of V by a second GEMM. attention.cpp reads
// the node and enqueues the three, or the fused kernel (fused_attention.h) where it applies.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "devices/gpu/cuda/gpu_kernel.h"

namespace tandem::gpu {

/// The kernel of a MultiHeadAttention node (attention_support accepted it); null for another op.
std::unique_ptr<GpuKernel> make_attention_kernel(const GpuNode& node);

namespace attention {

/// The scores [batch, heads, q_len, kv_len] row by row, and where the mask's element for scores
/// [b, h, i, j] lies: b * mask_strides[0] + h * mask_strides[1] + i * mask_strides[2] +
/// j * mask_strides[3] (0 along an axis it broadcasts on).
struct SoftmaxShape {
  int64_t batch = 0, heads = 0, q_len = 0, kv_len = 0;
  std::array<int64_t, 4> mask_strides{};
};

/// probs[r, :] = softmax(scores[r, :] + mask) for every row r of the scores (f32, already
/// scaled); probs of storage type `type` (F32, F16 or BF16, the mask's too, null for none). For
/// F32, probs may be the scores themselves.
void softmax(ElementType type, const SoftmaxShape& shape, const float* scores, const void* mask,
             void* probs, cudaStream_t stream);

}  // namespace attention
}  // namespace tandem::gpu
