// MultiHeadAttention in one kernel (fused_attention.cu), for f16 and bf16 heads of 32, 64 or 128
// (D_v alike) whose rows of scores fit a block's shared memory: Q K^T, the softmax with the mask
// and P V without a round trip through global memory. Plain declarations, so that attention.cpp
// needs no device code.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "devices/gpu/cuda/kernels/attention.h"
#include "tandem/element_type.h"

namespace tandem::gpu::attention {

/// The dynamic shared memory one block takes for heads of `head_size` and `kv_len` keys.
size_t fused_shared_bytes(int head_size, int64_t kv_len);

/// Lets the kernel for `type` (F16 or BF16) and `head_size` (32, 64 or 128) take up to `bytes` of
/// dynamic shared memory on the current device. At compile time, never in a launch (it is
/// cudaFuncSetAttribute). Throws Error on failure.
void allow_fused_shared_bytes(ElementType type, int head_size, size_t bytes);

/// Enqueues Y = softmax(scale * Q K^T + mask) V on `stream` for Q [B, S_q, H, D], K and V
/// [B, S_kv, H, D] and Y [B, S_q, H, D] of storage type `type`, the sizes in `shape`, with `mask`
/// (of `type` too, laid out as shape.mask_strides say; null for none). Throws Error on a launch
/// failure.
void fused_attention(ElementType type, int head_size, const SoftmaxShape& shape, float scale,
                     const void* q, const void* k, const void* v, const void* mask, void* y,
                     cudaStream_t stream);

}  // namespace tandem::gpu::attention
