// MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool on cuDNN's pooling, over NCHW tensors.
#pragma once

#include <memory>

#include "devices/gpu/cuda/gpu_kernel.h"

namespace tandem::gpu {

/// The kernel of a pooling node; nullptr for another op. Throws Unsupported with pool_support's
/// reason for a node that judge declines.
std::unique_ptr<GpuKernel> make_pool_kernel(const GpuNode& node);

}  // namespace tandem::gpu
