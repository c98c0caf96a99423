// The epilogue of a convolution that cuDNN cannot fuse exactly: y = activation(y + bias + sum),
// in place over the NCHW (or NHWC) output, in one pass. Plain declarations, so that conv.cpp needs no
// device code.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "devices/gpu/cuda/kernels/activation.cuh"
#include "tandem/element_type.h"

namespace tandem::gpu {

struct ConvEpilogue {
  ElementType type = ElementType::F32;  // y's, bias's and sum's storage: f32, f16 or bf16
  int64_t count = 0;                    // y's elements
  int64_t channels = 0, spatial = 1;    // y is [count / (channels * spatial), channels, spatial]
  bool channels_last = false;           // y is [count / (channels * spatial), spatial, channels]
  DeviceActivation activation;
};

/// Enqueues y[n, c, s] = activation(y[n, c, s] + bias[c] + sum[n, c, s]) on `stream`; `bias` and
/// `sum` may be null (then not added). Throws Error on a launch failure.
void launch_conv_epilogue(const ConvEpilogue& epilogue, void* y, const void* bias, const void* sum,
                          cudaStream_t stream);

}  // namespace tandem::gpu
