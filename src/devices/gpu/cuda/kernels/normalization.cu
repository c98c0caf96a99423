// The kernels of normalization.h. A row reduction runs one warp per row where rows are short (at
// most 1024 elements) and one 256-thread block per row otherwise; a reduction over a middle axis
// ([outer, n, inner] with inner > 1) runs one thread per (outer, inner) column, whose reads are
// coalesced across the inner axis.
#include <cfloat>
#include <cstdint>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/normalization.h"
#include "devices/gpu/cuda/kernels/storage.cuh"

namespace tandem::gpu::normalization {
namespace {

constexpr int kWarp = 32;

// A statistic written in a storage type chosen at run time (LayerNormalization's extra outputs).
__device__ __forceinline__ void store_stat(void* p, int64_t i, ElementType type, float v) {
  if (type == ElementType::F16)
    static_cast<__half*>(p)[i] = __float2half_rn(v);
  else if (type == ElementType::BF16)
    static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(v);
  else
    static_cast<float*>(p)[i] = v;
}

struct Sum {
  __device__ float operator()(float a, float b) const { return a + b; }
};
struct Max {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

// Reduces v over the R threads of a row (a warp, or the whole block when R == kThreads); every
// thread of the row gets the result. `scratch` holds kThreads / kWarp floats of shared memory.
template <int R, class Op>
__device__ __forceinline__ float row_reduce(float v, Op op, float* scratch) {
#pragma unroll
  for (int offset = kWarp / 2; offset > 0; offset /= 2)
    v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  if constexpr (R == kWarp) {
    return v;
  } else {
    const int warp = threadIdx.x / kWarp;
    if (threadIdx.x % kWarp == 0) scratch[warp] = v;
    __syncthreads();
    float r = scratch[0];
#pragma unroll
    for (int w = 1; w < R / kWarp; ++w) r = op(r, scratch[w]);
    __syncthreads();  // the scratch is free again for the next reduction
    return r;
  }
}

// The row this thread works on, its lane within the row; the row is uniform over a warp (R == 32)
// or the block (R == kThreads), so an early return never splits a reduction.
template <int R>
struct RowThread {
  int64_t row;
  int lane;
  __device__ RowThread()
      : row(int64_t(blockIdx.x) * (kThreads / R) + threadIdx.x / R), lane(threadIdx.x % R) {}
};

template <int R>
int row_blocks(int64_t rows) {
  constexpr int per_block = kThreads / R;
  return int((rows + per_block - 1) / per_block);
}

template <class T, int R>
__global__ void __launch_bounds__(kThreads)
    layer_norm_kernel(const T* x, T* y, const float* scale, const float* bias, int64_t rows,
                      int64_t n, float epsilon, void* mean_out, void* inv_std_out,
                      ElementType stats_type) {
  __shared__ float scratch[kThreads / kWarp];
  const RowThread<R> t;
  if (t.row >= rows) return;
  const T* xr = x + t.row * n;
  T* yr = y + t.row * n;
  float sum = 0.0f;
  for (int64_t k = t.lane; k < n; k += R) sum += to_float(xr[k]);
  const float mean = row_reduce<R>(sum, Sum(), scratch) / float(n);
  float squares = 0.0f;  // two passes: the variance of centred values does not cancel
  for (int64_t k = t.lane; k < n; k += R) {
    const float d = to_float(xr[k]) - mean;
    squares += d * d;
  }
  const float inv_std = rsqrtf(row_reduce<R>(squares, Sum(), scratch) / float(n) + epsilon);
  for (int64_t k = t.lane; k < n; k += R) {
    float v = (to_float(xr[k]) - mean) * inv_std * scale[k];
    if (bias) v += bias[k];
    yr[k] = from_float<T>(v);
  }
  if (t.lane == 0) {
    if (mean_out) store_stat(mean_out, t.row, stats_type, mean);
    if (inv_std_out) store_stat(inv_std_out, t.row, stats_type, inv_std);
  }
}

template <class T, int R>
__global__ void __launch_bounds__(kThreads)
    softmax_rows_kernel(const T* x, T* y, int64_t rows, int64_t n, bool log) {
  __shared__ float scratch[kThreads / kWarp];
  const RowThread<R> t;
  if (t.row >= rows) return;
  const T* xr = x + t.row * n;
  T* yr = y + t.row * n;
  float max = -FLT_MAX;
  for (int64_t k = t.lane; k < n; k += R) max = fmaxf(max, to_float(xr[k]));
  max = row_reduce<R>(max, Max(), scratch);
  float sum = 0.0f;
  for (int64_t k = t.lane; k < n; k += R) sum += expf(to_float(xr[k]) - max);
  sum = row_reduce<R>(sum, Sum(), scratch);
  if (log) {
    const float log_sum = logf(sum);
    for (int64_t k = t.lane; k < n; k += R) yr[k] = from_float<T>(to_float(xr[k]) - max - log_sum);
  } else {
    const float inv_sum = 1.0f / sum;
    for (int64_t k = t.lane; k < n; k += R)
      yr[k] = from_float<T>(expf(to_float(xr[k]) - max) * inv_sum);
  }
}

template <class T>
__global__ void softmax_columns_kernel(const T* x, T* y, int64_t outer, int64_t n, int64_t inner,
                                       bool log) {
  const int64_t columns = outer * inner;
  for (int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; c < columns;
       c += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = c / inner, i = c - o * inner;
    const T* xc = x + o * n * inner + i;
    T* yc = y + o * n * inner + i;
    float max = -FLT_MAX;
    for (int64_t k = 0; k < n; ++k) max = fmaxf(max, to_float(xc[k * inner]));
    float sum = 0.0f;
    for (int64_t k = 0; k < n; ++k) sum += expf(to_float(xc[k * inner]) - max);
    const float log_sum = logf(sum), inv_sum = 1.0f / sum;
    for (int64_t k = 0; k < n; ++k) {
      const float v = to_float(xc[k * inner]) - max;
      yc[k * inner] = from_float<T>(log ? v - log_sum : expf(v) * inv_sum);
    }
  }
}

template <class T>
__global__ void channel_affine_kernel(const T* x, T* y, const float* a, const float* b,
                                      int64_t total, int64_t channels, int64_t spatial) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = (i / spatial) % channels;
    y[i] = from_float<T>(fmaf(to_float(x[i]), a[c], b[c]));
  }
}

template <class T, int R>
__global__ void __launch_bounds__(kThreads)
    reduce_rows_kernel(const T* x, T* y, int64_t rows, int64_t n, float scale) {
  __shared__ float scratch[kThreads / kWarp];
  const RowThread<R> t;
  if (t.row >= rows) return;
  const T* xr = x + t.row * n;
  float sum = 0.0f;
  for (int64_t k = t.lane; k < n; k += R) sum += to_float(xr[k]);
  sum = row_reduce<R>(sum, Sum(), scratch);
  if (t.lane == 0) y[t.row] = from_float<T>(sum * scale);
}

template <class T>
__global__ void reduce_columns_kernel(const T* x, T* y, int64_t outer, int64_t n, int64_t inner,
                                      float scale) {
  const int64_t columns = outer * inner;
  for (int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; c < columns;
       c += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = c / inner, i = c - o * inner;
    const T* xc = x + o * n * inner + i;
    float sum = 0.0f;
    for (int64_t k = 0; k < n; ++k) sum += to_float(xc[k * inner]);
    y[c] = from_float<T>(sum * scale);
  }
}

// Warps for rows up to 1024 elements (at most 32 per lane), blocks beyond.
bool short_rows(int64_t n) { return n <= 1024; }

}  // namespace

void layer_norm(ElementType type, const void* x, void* y, const float* scale, const float* bias,
                int64_t rows, int64_t n, float epsilon, void* mean, void* inv_std_dev,
                ElementType stats_type, cudaStream_t stream) {
  if (rows == 0 || n == 0) return;
  with_float_type(type, "GPU normalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* tx = static_cast<const T*>(x);
    T* ty = static_cast<T*>(y);
    if (short_rows(n))
      layer_norm_kernel<T, kWarp><<<row_blocks<kWarp>(rows), kThreads, 0, stream>>>(
          tx, ty, scale, bias, rows, n, epsilon, mean, inv_std_dev, stats_type);
    else
      layer_norm_kernel<T, kThreads><<<row_blocks<kThreads>(rows), kThreads, 0, stream>>>(
          tx, ty, scale, bias, rows, n, epsilon, mean, inv_std_dev, stats_type);
    check_launch("layer_norm_kernel");
  });
}

void softmax(ElementType type, bool log, const void* x, void* y, int64_t outer, int64_t n,
             int64_t inner, cudaStream_t stream) {
  if (outer == 0 || n == 0 || inner == 0) return;
  with_float_type(type, "GPU normalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* tx = static_cast<const T*>(x);
    T* ty = static_cast<T*>(y);
    if (inner > 1)
      softmax_columns_kernel<T><<<blocks_for(outer * inner), kThreads, 0, stream>>>(tx, ty, outer, n,
                                                                                    inner, log);
    else if (short_rows(n))
      softmax_rows_kernel<T, kWarp><<<row_blocks<kWarp>(outer), kThreads, 0, stream>>>(tx, ty, outer,
                                                                                       n, log);
    else
      softmax_rows_kernel<T, kThreads><<<row_blocks<kThreads>(outer), kThreads, 0, stream>>>(
          tx, ty, outer, n, log);
    check_launch("softmax_kernel");
  });
}

void channel_affine(ElementType type, const void* x, void* y, const float* a, const float* b,
                    int64_t total, int64_t channels, int64_t spatial, cudaStream_t stream) {
  if (total == 0) return;
  with_float_type(type, "GPU normalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    channel_affine_kernel<T><<<blocks_for(total), kThreads, 0, stream>>>(
        static_cast<const T*>(x), static_cast<T*>(y), a, b, total, channels, spatial);
    check_launch("channel_affine_kernel");
  });
}

void reduce_sum(ElementType type, const void* x, void* y, int64_t outer, int64_t n, int64_t inner,
                float scale, cudaStream_t stream) {
  if (outer == 0 || inner == 0) return;
  with_float_type(type, "GPU normalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* tx = static_cast<const T*>(x);
    T* ty = static_cast<T*>(y);
    if (inner > 1)
      reduce_columns_kernel<T><<<blocks_for(outer * inner), kThreads, 0, stream>>>(tx, ty, outer, n,
                                                                                   inner, scale);
    else if (short_rows(n))
      reduce_rows_kernel<T, kWarp><<<row_blocks<kWarp>(outer), kThreads, 0, stream>>>(tx, ty, outer,
                                                                                      n, scale);
    else
      reduce_rows_kernel<T, kThreads><<<row_blocks<kThreads>(outer), kThreads, 0, stream>>>(
          tx, ty, outer, n, scale);
    check_launch("reduce_sum_kernel");
  });
}

}  // namespace tandem::gpu::normalization
