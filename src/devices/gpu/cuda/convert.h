// Float conversions on the device at an executable's edges: its inputs arrive and its outputs
// leave as the model declares them (f32), while its activations are stored in the compute type.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

#include "tandem/element_type.h"

namespace tandem::gpu {

/// Enqueues `count` elements of `from` (f32, f16 or bf16) converted to `to` (likewise) on `stream`;
/// a plain device-to-device copy where the types are the same. Throws Error on a launch failure.
void convert(const void* source, ElementType from, void* target, ElementType to, size_t count,
             cudaStream_t stream);

}  // namespace tandem::gpu
