// Output buffers of the oneDNN kernels, recycled from one run to the next.
#pragma once

#include <cstddef>
#include <memory>

#include "ops/kernel_context.h"
#include "tandem/tensor.h"

namespace tandem::cpu {

/// `bytes` of uninitialised, 64-byte aligned memory that goes back to a process-wide cache, not
/// to the system, when its last user lets go. A fresh buffer of a few megabytes comes from mmap
/// and page-faults on first touch, and Tensor zeroes what it allocates: together 2.6 ms of
/// ResNet-50's 35 ms per inference, which reusing the previous run's buffers saves.
std::shared_ptr<std::byte> take_buffer(size_t bytes);

/// Sets output i of the node to a tensor of its inferred type and shape (static) over a pooled
/// buffer of at least `bytes` (a blocked layout's padded size; 0 for the plain size), or returns
/// the place the run gave it ahead where that is large enough. The kernel must write every element.
Tensor& pooled_output(ops::KernelContext& ctx, size_t i, size_t bytes = 0);

}  // namespace tandem::cpu
