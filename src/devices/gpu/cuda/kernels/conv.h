// Conv and FusedConv (ops/nn/fused_conv.h) on cuDNN: 1-D and 2-D convolutions of NCHW tensors,
// with the bias, the residual sum and the activation fused where cuDNN does so exactly.
#pragma once

#include <memory>

#include "devices/gpu/cuda/gpu_kernel.h"

namespace tandem::gpu {

/// The kernel of a Conv or FusedConv node; nullptr for another op. Throws Unsupported with
/// conv_support's reason for a node that judge declines.
std::unique_ptr<GpuKernel> make_conv_kernel(const GpuNode& node);

}  // namespace tandem::gpu
