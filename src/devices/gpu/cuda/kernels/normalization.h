// Normalisations and mean reductions: LayerNormalization, Softmax and LogSoftmax,
// BatchNormalization (inference), ReduceMean and ReduceSum.
// normalization_node.cpp reads a node and plans its kernel on the host; normalization.cu runs the
// plans (this header is their plain interface). All accumulate in f32.
#pragma once

#include <cstdint>
#include <memory>

#include "devices/gpu/cuda/gpu_kernel.h"

namespace tandem::gpu {

/// The kernel of a normalization node (normalization_support accepted it); null for another op.
std::unique_ptr<GpuKernel> make_normalization_kernel(const GpuNode& node);

namespace normalization {

/// `rows` rows of `n` elements each normalised to zero mean and unit variance, then
/// y = x_hat * scale[k] + bias[k] (bias may be null; both f32, n long). `mean` and `inv_std_dev`,
/// where not null, receive each row's statistics in `stats_type` (F32, F16 or BF16).
void layer_norm(ElementType type, const void* x, void* y, const float* scale, const float* bias,
                int64_t rows, int64_t n, float epsilon, void* mean, void* inv_std_dev,
                ElementType stats_type, cudaStream_t stream);

/// Softmax (or LogSoftmax) over the middle axis of x seen as [outer, n, inner].
void softmax(ElementType type, bool log, const void* x, void* y, int64_t outer, int64_t n,
             int64_t inner, cudaStream_t stream);

/// y = x * a[c] + b[c] for x of `total` elements seen as [*, channels, spatial].
void channel_affine(ElementType type, const void* x, void* y, const float* a, const float* b,
                    int64_t total, int64_t channels, int64_t spatial, cudaStream_t stream);

/// y[o, i] = scale * sum over k of x[o, k, i], x seen as [outer, n, inner].
void reduce_sum(ElementType type, const void* x, void* y, int64_t outer, int64_t n, int64_t inner,
                float scale, cudaStream_t stream);

}  // namespace normalization
}  // namespace tandem::gpu
