// The matrix products' epilogue where cuBLASLt's cannot express it: a broadcast addend (a bias
// that is not a constant, Gemm's C of any broadcast shape) and activations other than its Relu
// and tanh-GELU, over the product cuBLASLt wrote.
#include <string>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/matmul.h"
#include "devices/gpu/cuda/kernels/storage.cuh"
#include "tandem/error.h"

namespace tandem::gpu::matmul {
namespace {

template <class T>
__global__ void epilogue_kernel(T* y, int64_t count, int64_t cols, const T* addend,
                                int64_t row_stride, int64_t col_stride, float scale,
                                DeviceActivation activation) {
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += int64_t(gridDim.x) * blockDim.x) {
    float v = to_float(y[e]);
    if (addend) v += scale * to_float(addend[(e / cols) * row_stride + (e % cols) * col_stride]);
    y[e] = from_float<T>(activate(activation, v));
  }
}

template <class T>
void run(void* y, int64_t rows, int64_t cols, const Addend& addend,
         const DeviceActivation& activation, cudaStream_t stream) {
  const int64_t count = rows * cols;
  if (count == 0) return;
  epilogue_kernel<T><<<blocks_for(count, 65536), kThreads, 0, stream>>>(
      static_cast<T*>(y), count, cols, static_cast<const T*>(addend.data), addend.row_stride,
      addend.col_stride, addend.scale, activation);
  check_launch("matmul epilogue");
}

}  // namespace

void epilogue(ElementType type, void* y, int64_t rows, int64_t cols, const Addend& addend,
              const DeviceActivation& activation, cudaStream_t stream) {
  switch (type) {
    case ElementType::F32:
      return run<float>(y, rows, cols, addend, activation, stream);
    case ElementType::F16:
      return run<__half>(y, rows, cols, addend, activation, stream);
    case ElementType::BF16:
      return run<__nv_bfloat16>(y, rows, cols, addend, activation, stream);
    default:
      throw Error(ErrorKind::Runtime, "GPU: the matmul epilogue runs on f32, f16 or bf16, not " +
                                          std::string(to_string(type)));
  }
}

}  // namespace tandem::gpu::matmul
