// The softmax of attention's scores: one block per row of scores, the mask added on the way, in
// f32 whatever the storage type, written in the storage type for the second GEMM.
#include <algorithm>
#include <string>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/attention.h"
#include "devices/gpu/cuda/kernels/storage.cuh"
#include "tandem/error.h"

namespace tandem::gpu::attention {
namespace {

constexpr int kMaxThreads = 256;

struct Max {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};
struct Sum {
  __device__ float operator()(float a, float b) const { return a + b; }
};

// Every thread's `v` combined over the block (blockDim.x a multiple of 32); every thread gets it.
template <class Op>
__device__ float block_reduce(float v, float identity, Op op) {
  __shared__ float partial[32];
  for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  v = lane < int(blockDim.x / 32) ? partial[lane] : identity;
  for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  __syncthreads();  // partial is reused by the next reduction
  return v;
}

// probs and scores may be one buffer (T = float): each thread reads an element before it writes
// it, and no other thread touches it.
template <class T>
__global__ void softmax_rows(SoftmaxShape shape, const float* scores, const T* mask, T* probs) {
  const int64_t rows = shape.batch * shape.heads * shape.q_len, n = shape.kv_len;
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const int64_t i = row % shape.q_len, h = (row / shape.q_len) % shape.heads,
                  b = row / (shape.q_len * shape.heads);
    const float* s = scores + row * n;
    const T* m = mask ? mask + b * shape.mask_strides[0] + h * shape.mask_strides[1] +
                            i * shape.mask_strides[2]
                      : nullptr;
    const int64_t mask_step = shape.mask_strides[3];
    const auto value = [&](int64_t j) { return m ? s[j] + to_float(m[j * mask_step]) : s[j]; };
    float max = -INFINITY;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) max = fmaxf(max, value(j));
    max = block_reduce(max, -INFINITY, Max());
    float sum = 0.0f;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) sum += expf(value(j) - max);
    sum = block_reduce(sum, 0.0f, Sum());
    const float inverse = 1.0f / sum;
    T* p = probs + row * n;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
      p[j] = from_float<T>(expf(value(j) - max) * inverse);
  }
}

template <class T>
void run(const SoftmaxShape& shape, const float* scores, const void* mask, void* probs,
         cudaStream_t stream) {
  const int64_t rows = shape.batch * shape.heads * shape.q_len;
  if (rows == 0 || shape.kv_len == 0) return;
  // A warp per 32 elements of a row, up to kMaxThreads; rows beyond the grid loop.
  const int threads = int(std::min<int64_t>((shape.kv_len + 31) / 32 * 32, kMaxThreads));
  const int blocks = int(std::min<int64_t>(rows, int64_t(1) << 20));
  softmax_rows<T><<<blocks, threads, 0, stream>>>(shape, scores, static_cast<const T*>(mask),
                                                  static_cast<T*>(probs));
  check_launch("attention softmax");
}

}  // namespace

void softmax(ElementType type, const SoftmaxShape& shape, const float* scores, const void* mask,
             void* probs, cudaStream_t stream) {
  switch (type) {
    case ElementType::F32:
      return run<float>(shape, scores, mask, probs, stream);
    case ElementType::F16:
      return run<__half>(shape, scores, mask, probs, stream);
    case ElementType::BF16:
      return run<__nv_bfloat16>(shape, scores, mask, probs, stream);
    default:
      throw Error(ErrorKind::Runtime, "GPU: attention's softmax runs on f32, f16 or bf16, not " +
                                          std::string(to_string(type)));
  }
}

}  // namespace tandem::gpu::attention
