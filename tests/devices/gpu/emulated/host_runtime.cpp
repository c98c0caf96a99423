// The CUDA runtime, cuDNN and cuBLAS calls of the GPU plugin's host code, on the CPU, for the
// emulated kernel tests (cuda_emulation.h): one device, an H100 as far as the plugin asks, whose
// memory is host memory and whose streams run each launch to completion before returning.
//
// Emulated: device memory (256-byte aligned allocations, copies and memsets), streams and
// synchronisation, launch errors as cudaGetLastError reports them, the attributes the plugin
// reads (an H100's 232448 bytes of opt-in shared memory per block, so that the fused attention
// kernel is chosen where it is on the GPU) and the per-kernel opt-in of dynamic shared memory;
// cuBLAS's handles and cublasGemmStridedBatchedEx for f32, f16 and bf16 in f32 compute (sums in
// double, in no particular order: cuBLAS's own accumulation and its rounding are not); cuDNN's
// handles and the descriptors pool.cpp makes, with cudnnPoolingForward refusing every pooling, so
// that pools run on our own kernel (pool_direct.cu).
//
// Not emulated: cuDNN's and cuBLASLt's computations (convolutions, their matmuls), so the conv,
// matmul and executable tests stay GPU-only; anything asynchronous: a stream is done when the
// call returns.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

namespace tandem::gpu::emulation {
namespace {

std::atomic<int> last_error{cudaSuccess};

// An H100 SXM's limits, as cudaDeviceGetAttribute reports them.
constexpr int kSharedPerBlock = 48 * 1024;
constexpr int kSharedPerBlockOptin = 232448;

std::mutex attributes_mutex;
std::map<const void*, int> dynamic_shared_limits;  // by kernel, as cudaFuncSetAttribute set them

struct Stream {
  unsigned flags = 0;
};

struct CublasHandle {
  cudaStream_t stream = nullptr;
};

struct CudnnHandle {
  cudaStream_t stream = nullptr;
};

}  // namespace

void set_launch_error(cudaError_t error) { last_error = error; }

size_t max_dynamic_shared_bytes(const void* function) {
  std::lock_guard lock(attributes_mutex);
  const auto it = dynamic_shared_limits.find(function);
  return size_t(it == dynamic_shared_limits.end() ? kSharedPerBlock : it->second);
}

}  // namespace tandem::gpu::emulation

namespace emulation = tandem::gpu::emulation;

// ---- CUDA runtime ---------------------------------------------------------------------------

cudaError_t cudaGetLastError() { return cudaError_t(emulation::last_error.exchange(cudaSuccess)); }
cudaError_t cudaPeekAtLastError() { return cudaError_t(emulation::last_error.load()); }
const char* cudaGetErrorName(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    default: return "cudaError (emulated)";
  }
}
const char* cudaGetErrorString(cudaError_t error) {
  return error == cudaSuccess ? "no error" : "error in the CPU emulation of CUDA";
}

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : cudaErrorInvalidDevice; }
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

// Only what the plugin's makers ask; anything else fails, so that a new question is noticed.
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attribute, int device) {
  if (device != 0) return cudaErrorInvalidDevice;
  switch (attribute) {
    case cudaDevAttrMaxSharedMemoryPerBlock: *value = emulation::kSharedPerBlock; return cudaSuccess;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: *value = emulation::kSharedPerBlockOptin; return cudaSuccess;
    case cudaDevAttrComputeCapabilityMajor: *value = 9; return cudaSuccess;
    case cudaDevAttrComputeCapabilityMinor: *value = 0; return cudaSuccess;
    case cudaDevAttrMultiProcessorCount: *value = 132; return cudaSuccess;
    case cudaDevAttrWarpSize: *value = 32; return cudaSuccess;
    case cudaDevAttrMaxThreadsPerBlock: *value = 1024; return cudaSuccess;
    default: return cudaErrorNotSupported;
  }
}

cudaError_t cudaFuncSetAttribute(const void* function, cudaFuncAttribute attribute, int value) {
  if (attribute != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaSuccess;
  if (value < 0 || value > emulation::kSharedPerBlockOptin) return cudaErrorInvalidValue;
  std::lock_guard lock(emulation::attributes_mutex);
  emulation::dynamic_shared_limits[function] = value;
  return cudaSuccess;
}

cudaError_t cudaMalloc(void** p, size_t bytes) {
  *p = nullptr;
  if (posix_memalign(p, 256, bytes ? bytes : 1) != 0) return cudaErrorMemoryAllocation;
  return cudaSuccess;
}
cudaError_t cudaMallocAsync(void** p, size_t bytes, cudaStream_t) { return cudaMalloc(p, bytes); }
cudaError_t cudaMallocFromPoolAsync(void** p, size_t bytes, cudaMemPool_t, cudaStream_t) {
  return cudaMalloc(p, bytes);
}
cudaError_t cudaFree(void* p) {
  std::free(p);
  return cudaSuccess;
}
cudaError_t cudaFreeAsync(void* p, cudaStream_t) { return cudaFree(p); }
cudaError_t cudaHostAlloc(void** p, size_t bytes, unsigned) { return cudaMalloc(p, bytes); }
cudaError_t cudaMallocHost(void** p, size_t bytes) { return cudaMalloc(p, bytes); }
cudaError_t cudaFreeHost(void* p) { return cudaFree(p); }
cudaError_t cudaMemGetInfo(size_t* free, size_t* total) {
  *free = size_t(8) << 30;
  *total = size_t(80) << 30;
  return cudaSuccess;
}
cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t* pool, int) {
  static char the_pool;
  *pool = reinterpret_cast<cudaMemPool_t>(&the_pool);
  return cudaSuccess;
}
cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t, cudaMemPoolAttr, void*) { return cudaSuccess; }

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
  if (bytes) std::memmove(dst, src, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, kind);
}
cudaError_t cudaMemcpy2DAsync(void* dst, size_t dst_pitch, const void* src, size_t src_pitch,
                              size_t width, size_t height, cudaMemcpyKind, cudaStream_t) {
  if (width > dst_pitch || width > src_pitch) return cudaErrorInvalidPitchValue;
  for (size_t r = 0; r < height; ++r)
    std::memmove(static_cast<char*>(dst) + r * dst_pitch,
                 static_cast<const char*>(src) + r * src_pitch, width);
  return cudaSuccess;
}
cudaError_t cudaMemset(void* dst, int value, size_t bytes) {
  if (bytes) std::memset(dst, value, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t) {
  return cudaMemset(dst, value, bytes);
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags) {
  *stream = reinterpret_cast<cudaStream_t>(new emulation::Stream{flags});
  return cudaSuccess;
}
cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, 0); }
cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  delete reinterpret_cast<emulation::Stream*>(stream);
  return cudaSuccess;
}
// Every launch ran to completion when it was made; a failed launch is cudaGetLastError's to
// report, as on the GPU, where a launch that cannot start leaves the stream clean.
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }

// ---- cuBLAS ---------------------------------------------------------------------------------

const char* cublasGetStatusString(cublasStatus_t status) {
  return status == CUBLAS_STATUS_SUCCESS ? "success" : "not emulated";
}
const char* cublasGetStatusName(cublasStatus_t status) {
  return status == CUBLAS_STATUS_SUCCESS ? "CUBLAS_STATUS_SUCCESS" : "CUBLAS_STATUS_NOT_SUPPORTED";
}
cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
  *handle = reinterpret_cast<cublasHandle_t>(new emulation::CublasHandle);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  delete reinterpret_cast<emulation::CublasHandle*>(handle);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream) {
  reinterpret_cast<emulation::CublasHandle*>(handle)->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t* stream) {
  *stream = reinterpret_cast<emulation::CublasHandle*>(handle)->stream;
  return CUBLAS_STATUS_SUCCESS;
}
// cuBLASLt's matmuls are not emulated: a kernel that needs a handle fails where it asks for one.
cublasStatus_t cublasLtCreate(cublasLtHandle_t*) { return CUBLAS_STATUS_NOT_SUPPORTED; }
cublasStatus_t cublasLtDestroy(cublasLtHandle_t) { return CUBLAS_STATUS_SUCCESS; }

namespace {

float load(const void* p, cudaDataType type, size_t i) {
  switch (type) {
    case CUDA_R_32F: return static_cast<const float*>(p)[i];
    case CUDA_R_16F: return __half2float(static_cast<const __half*>(p)[i]);
    case CUDA_R_16BF: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    default: std::abort();
  }
}

void store(void* p, cudaDataType type, size_t i, float v) {
  switch (type) {
    case CUDA_R_32F: static_cast<float*>(p)[i] = v; return;
    case CUDA_R_16F: static_cast<__half*>(p)[i] = __float2half_rn(v); return;
    case CUDA_R_16BF: static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(v); return;
    default: std::abort();
  }
}

bool emulated_type(cudaDataType type) {
  return type == CUDA_R_32F || type == CUDA_R_16F || type == CUDA_R_16BF;
}

size_t element_bytes(cudaDataType type) { return type == CUDA_R_32F ? 4 : 2; }

}  // namespace

// Column-major C = alpha op(A) op(B) + beta C per batch, alpha and beta f32 on the host.
cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t, cublasOperation_t op_a,
                                          cublasOperation_t op_b, int m, int n, int k,
                                          const void* alpha, const void* a, cudaDataType type_a,
                                          int lda, long long stride_a, const void* b,
                                          cudaDataType type_b, int ldb, long long stride_b,
                                          const void* beta, void* c, cudaDataType type_c, int ldc,
                                          long long stride_c, int batches,
                                          cublasComputeType_t compute, cublasGemmAlgo_t) {
  if (!emulated_type(type_a) || !emulated_type(type_b) || !emulated_type(type_c) ||
      (compute != CUBLAS_COMPUTE_32F && compute != CUBLAS_COMPUTE_32F_FAST_TF32) ||
      (op_a != CUBLAS_OP_N && op_a != CUBLAS_OP_T) || (op_b != CUBLAS_OP_N && op_b != CUBLAS_OP_T))
    return CUBLAS_STATUS_NOT_SUPPORTED;
  if (m < 0 || n < 0 || k < 0 || batches < 0) return CUBLAS_STATUS_INVALID_VALUE;
  const double al = *static_cast<const float*>(alpha), be = *static_cast<const float*>(beta);
  for (int batch = 0; batch < batches; ++batch) {
    const char* ab = static_cast<const char*>(a) + batch * stride_a * element_bytes(type_a);
    const char* bb = static_cast<const char*>(b) + batch * stride_b * element_bytes(type_b);
    char* cb = static_cast<char*>(c) + batch * stride_c * element_bytes(type_c);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double sum = 0;
        for (int p = 0; p < k; ++p) {
          const size_t ai = op_a == CUBLAS_OP_N ? size_t(i) + size_t(p) * lda : size_t(p) + size_t(i) * lda;
          const size_t bi = op_b == CUBLAS_OP_N ? size_t(p) + size_t(j) * ldb : size_t(j) + size_t(p) * ldb;
          sum += double(load(ab, type_a, ai)) * load(bb, type_b, bi);
        }
        const size_t ci = size_t(i) + size_t(j) * ldc;
        // beta 0 never reads C, which may hold NaN, as cuBLAS documents.
        store(cb, type_c, ci, float(al * sum + (be != 0 ? be * load(cb, type_c, ci) : 0.0)));
      }
  }
  return CUBLAS_STATUS_SUCCESS;
}

// ---- cuDNN ----------------------------------------------------------------------------------

const char* cudnnGetErrorString(cudnnStatus_t status) {
  return status == CUDNN_STATUS_SUCCESS ? "CUDNN_STATUS_SUCCESS" : "CUDNN_STATUS_NOT_SUPPORTED (emulated)";
}
cudnnStatus_t cudnnCreate(cudnnHandle_t* handle) {
  *handle = reinterpret_cast<cudnnHandle_t>(new emulation::CudnnHandle);
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
  delete reinterpret_cast<emulation::CudnnHandle*>(handle);
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t stream) {
  reinterpret_cast<emulation::CudnnHandle*>(handle)->stream = stream;
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnGetStream(cudnnHandle_t handle, cudaStream_t* stream) {
  *stream = reinterpret_cast<emulation::CudnnHandle*>(handle)->stream;
  return CUDNN_STATUS_SUCCESS;
}
// Descriptors hold nothing: the only call that would read them refuses.
cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* d) {
  *d = reinterpret_cast<cudnnTensorDescriptor_t>(new char);
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t d) {
  delete reinterpret_cast<char*>(d);
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t* d) {
  *d = reinterpret_cast<cudnnPoolingDescriptor_t>(new char);
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t d) {
  delete reinterpret_cast<char*>(d);
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t, cudnnTensorFormat_t,
                                         cudnnDataType_t, int, int, int, int) {
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t, cudnnPoolingMode_t,
                                          cudnnNanPropagation_t, int, int, int, int, int, int) {
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnPoolingForward(cudnnHandle_t, const cudnnPoolingDescriptor_t, const void*,
                                  const cudnnTensorDescriptor_t, const void*, const void*,
                                  const cudnnTensorDescriptor_t, void*) {
  return CUDNN_STATUS_NOT_SUPPORTED;
}
