// CUDA, cuBLAS and cuDNN status codes as tandem::Error: every call's result is checked, and a
// failure names the call and the library's own name for the error.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <string_view>

namespace tandem::gpu {

/// Throws Runtime "GPU: <what> failed: <library's error name and text>" unless `status` is
/// success.
void check(cudaError_t status, std::string_view what);
void check(cublasStatus_t status, std::string_view what);
void check(cudnnStatus_t status, std::string_view what);
/// After a kernel launch: its configuration errors (cudaGetLastError), as check does.
void check_launch(std::string_view kernel);

}  // namespace tandem::gpu
