// The GPU kernel for a node: each family of kernels (kernels/) asked in turn, in the order their
// judges are asked (support/op_support.cpp), so that the family that accepted a node makes it.
#pragma once

#include <memory>

#include "devices/gpu/cuda/gpu_kernel.h"

namespace tandem::gpu {

/// Throws Unsupported naming the node where no family makes a kernel for it.
std::unique_ptr<GpuKernel> make_gpu_kernel(const GpuNode& node);

}  // namespace tandem::gpu
