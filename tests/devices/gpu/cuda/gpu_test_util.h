// For the GPU's kernel tests, which compile in every CUDA build and run where a GPU is present.
#pragma once

#include <cuda_runtime.h>

namespace tandem::gpu::testing {

/// Whether the CUDA runtime finds a usable GPU (no driver, or none: false).
inline bool gpu_present() {
  int count = 0;
  const bool ok = cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
  cudaGetLastError();  // clear the error a machine without a driver leaves
  return ok;
}

}  // namespace tandem::gpu::testing
