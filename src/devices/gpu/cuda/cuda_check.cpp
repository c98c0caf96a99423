#include "devices/gpu/cuda/cuda_check.h"

#include <fmt/format.h>

#include "tandem/error.h"

namespace tandem::gpu {

void check(cudaError_t status, std::string_view what) {
  if (status == cudaSuccess) return;
  throw Error(ErrorKind::Runtime, fmt::format("GPU: {} failed: {} ({})", what, cudaGetErrorName(status),
                                              cudaGetErrorString(status)));
}

void check(cublasStatus_t status, std::string_view what) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw Error(ErrorKind::Runtime, fmt::format("GPU: {} failed: {} ({})", what, cublasGetStatusName(status),
                                              cublasGetStatusString(status)));
}

void check(cudnnStatus_t status, std::string_view what) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  throw Error(ErrorKind::Runtime, fmt::format("GPU: {} failed: {}", what, cudnnGetErrorString(status)));
}

void check_launch(std::string_view kernel) { check(cudaGetLastError(), fmt::format("launching {}", kernel)); }

}  // namespace tandem::gpu
