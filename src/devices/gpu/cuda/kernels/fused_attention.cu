// MultiHeadAttention in one pass on tensor cores (WMMA, f32 accumulation): a block takes 64 queries
// of one (batch, head), 16 per warp, and holds their whole rows of scores in shared memory, so the
// softmax needs no running maximum. K and V pass through one 64-key chunk of shared memory at a
// time, K for the scores and then V for the output.
#include <mma.h>

#include <cstdint>
#include <string>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/fused_attention.h"
#include "devices/gpu/cuda/kernels/storage.cuh"
#include "tandem/error.h"

namespace tandem::gpu::attention {
namespace {

namespace wmma = nvcuda::wmma;

constexpr int kTile = 16;              // WMMA's m, n and k
constexpr int kWarps = 4;              // each with kTile query rows
constexpr int kRows = kWarps * kTile;  // query rows per block, and keys per chunk of K or V
constexpr int kBlockThreads = kWarps * 32;
// T elements after each row of the Q and K/V tiles: 16 bytes that shift each row's start across
// the banks, so that WMMA's loads of a tile's 16 rows do not fall into the same ones.
constexpr int kTilePad = 8;
// Floats after each row of scores, for the same reason.
constexpr int kScorePad = 4;
constexpr int kElementBytes = 2;  // f16 and bf16

using Accumulator = wmma::fragment<wmma::accumulator, kTile, kTile, kTile, float>;

__host__ __device__ constexpr int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// Where a block's dynamic shared memory holds what: the Q tile at 0, the K/V chunk at `kv`, each
// warp's kTile rows of `ld` floats of scores from `scores` on. Every part starts 32-byte aligned,
// as WMMA's pointers must.
struct Layout {
  int64_t ld = 0;  // the keys or the head, whichever is longer, in whole tiles, and the pad
  int64_t kv = 0, scores = 0, bytes = 0;
};

__host__ __device__ constexpr Layout layout(int head_size, int64_t kv_len) {
  Layout l;
  l.ld = round_up(kv_len > head_size ? kv_len : head_size, kTile) + kScorePad;
  const int64_t tile = round_up(int64_t(kRows) * (head_size + kTilePad) * kElementBytes, 32);
  l.kv = tile;
  l.scores = 2 * tile;
  l.bytes = l.scores + kWarps * kTile * l.ld * int64_t(sizeof(float));
  return l;
}

__device__ __forceinline__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// kRows rows of D from `rows` rows of `src`, `stride` elements apart, into a tile of rows of
// D + kTilePad, by the whole block; zeros past `rows`, since a zero weight times a garbage row
// could still be NaN.
template <class T, int D>
__device__ void load_tile(T* tile, const T* src, int rows, int64_t stride) {
  constexpr int ld = D + kTilePad;
  // Rows of D (and strides of H * D) are whole 16-byte vectors, so only src's alignment decides.
  static_assert(D * sizeof(T) % 16 == 0 && ld * sizeof(T) % 16 == 0);
  if (reinterpret_cast<uintptr_t>(src) % 16 == 0) {
    constexpr int vectors = D * int(sizeof(T)) / 16, per_vector = 16 / int(sizeof(T));
    for (int e = threadIdx.x; e < kRows * vectors; e += kBlockThreads) {
      const int r = e / vectors, c = e % vectors * per_vector;
      ::uint4 value = make_uint4(0, 0, 0, 0);
      if (r < rows) value = *reinterpret_cast<const ::uint4*>(src + r * stride + c);
      *reinterpret_cast<::uint4*>(tile + r * ld + c) = value;
    }
    return;
  }
  for (int e = threadIdx.x; e < kRows * D; e += kBlockThreads) {
    const int r = e / D, c = e % D;
    tile[r * ld + c] = r < rows ? src[r * stride + c] : from_float<T>(0.0f);
  }
}

// Grid (ceil(S_q / kRows), H, B). Q row (b, i) of head h starts at ((b * S_q + i) * H + h) * D,
// and K's, V's and Y's alike.
template <class T, int D>
__global__ void __launch_bounds__(kBlockThreads)
    fused_attention_kernel(SoftmaxShape shape, float scale, const T* q, const T* k, const T* v,
                           const T* mask, T* y) {
  static_assert(sizeof(T) == kElementBytes && D % kTile == 0);
  constexpr int steps = D / kTile;
  constexpr int ld_tile = D + kTilePad;
  extern __shared__ __align__(128) unsigned char shared[];

  const int q_len = int(shape.q_len), kv_len = int(shape.kv_len), heads = int(shape.heads);
  const int h = blockIdx.y, b = blockIdx.z;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int first_row = blockIdx.x * kRows;        // the block's first query
  const int warp_row = first_row + warp * kTile;   // the warp's
  const int64_t head_stride = int64_t(heads) * D;  // between one row of a head and the next
  const Layout l = layout(D, kv_len);
  const int ld = int(l.ld);
  T* q_tile = reinterpret_cast<T*>(shared);
  T* kv_tile = reinterpret_cast<T*>(shared + l.kv);
  float* scores = reinterpret_cast<float*>(shared + l.scores) + warp * kTile * ld;
  // Each row of probabilities overwrites its row of scores: rows of 2 * ld elements of T.
  T* probs = reinterpret_cast<T*>(scores);
  const int probs_ld = 2 * ld;

  load_tile<T, D>(q_tile, q + (int64_t(b) * q_len * heads + h) * D + first_row * head_stride,
                  min(kRows, q_len - first_row), head_stride);
  __syncthreads();
  wmma::fragment<wmma::matrix_a, kTile, kTile, kTile, T, wmma::row_major> q_frags[steps];
#pragma unroll
  for (int s = 0; s < steps; ++s)
    wmma::load_matrix_sync(q_frags[s], q_tile + warp * kTile * ld_tile + s * kTile, ld_tile);

  // Scores: K^T's element (d, j) is K[j][d], so K's rows in the chunk read as K^T column-major.
  const T* k_head = k + (int64_t(b) * kv_len * heads + h) * D;
  for (int chunk = 0; chunk < kv_len; chunk += kRows) {
    __syncthreads();  // every warp is done with the previous chunk
    load_tile<T, D>(kv_tile, k_head + chunk * head_stride, min(kRows, kv_len - chunk), head_stride);
    __syncthreads();
    for (int t = 0; t < kRows && chunk + t < kv_len; t += kTile) {
      Accumulator acc;
      wmma::fill_fragment(acc, 0.0f);
#pragma unroll
      for (int s = 0; s < steps; ++s) {
        wmma::fragment<wmma::matrix_b, kTile, kTile, kTile, T, wmma::col_major> k_frag;
        wmma::load_matrix_sync(k_frag, kv_tile + t * ld_tile + s * kTile, ld_tile);
        wmma::mma_sync(acc, q_frags[s], k_frag, acc);
      }
      wmma::store_matrix_sync(scores + chunk + t, acc, ld, wmma::mem_row_major);
    }
  }
  __syncwarp();  // the tiles' stores before the lanes' reads of whole rows

  // Softmax, row by row, in f32 as attention.cu's softmax computes it, each value kept in its
  // float of the row until it becomes a probability of T over the row's first half. Keys past
  // S_kv (up to the next tile) get probability 0, so that P V can take whole tiles of keys.
  const int padded_len = int(round_up(kv_len, kTile));
  for (int r = 0; r < kTile; ++r) {
    const int i = warp_row + r;
    float* row = scores + r * ld;
    // Rows past S_q have no mask row; their Q is zero, so they come out finite, and are dropped.
    const T* m = mask && i < q_len ? mask + b * shape.mask_strides[0] + h * shape.mask_strides[1] +
                                         i * shape.mask_strides[2]
                                   : nullptr;
    const int64_t mask_step = shape.mask_strides[3];
    float max = -INFINITY;
    for (int j = lane; j < kv_len; j += 32) {
      row[j] = row[j] * scale + (m ? to_float(m[j * mask_step]) : 0.0f);
      max = fmaxf(max, row[j]);
    }
    max = warp_max(max);
    float sum = 0.0f;
    for (int j = lane; j < kv_len; j += 32) {
      row[j] = expf(row[j] - max);
      sum += row[j];
    }
    const float inverse = 1.0f / warp_sum(sum);
    // Element j of T lies in float j / 2: 32 elements at a time, every lane reading its float
    // before any lane writes, a write only reaches floats of this or an earlier 32, already read.
    T* p = reinterpret_cast<T*>(row);
    for (int start = 0; start < padded_len; start += 32) {
      const int j = start + lane;
      const float e = j < kv_len ? row[j] : 0.0f;
      __syncwarp();
      if (j < padded_len) p[j] = from_float<T>(e * inverse);
    }
  }

  // Y = P V, the probabilities already normalised, so the accumulators need no rescaling.
  Accumulator out[steps];
#pragma unroll
  for (int n = 0; n < steps; ++n) wmma::fill_fragment(out[n], 0.0f);
  const T* v_head = v + (int64_t(b) * kv_len * heads + h) * D;
  for (int chunk = 0; chunk < kv_len; chunk += kRows) {
    // Every warp is done with K (or the previous chunk), and its probabilities are written.
    __syncthreads();
    load_tile<T, D>(kv_tile, v_head + chunk * head_stride, min(kRows, kv_len - chunk), head_stride);
    __syncthreads();
    for (int t = 0; t < kRows && chunk + t < kv_len; t += kTile) {
      wmma::fragment<wmma::matrix_a, kTile, kTile, kTile, T, wmma::row_major> p_frag;
      wmma::load_matrix_sync(p_frag, probs + chunk + t, probs_ld);
#pragma unroll
      for (int n = 0; n < steps; ++n) {
        wmma::fragment<wmma::matrix_b, kTile, kTile, kTile, T, wmma::row_major> v_frag;
        wmma::load_matrix_sync(v_frag, kv_tile + t * ld_tile + n * kTile, ld_tile);
        wmma::mma_sync(out[n], p_frag, v_frag, out[n]);
      }
    }
  }

  // Y through the warp's scores, which every lane must be done reading as probabilities.
  __syncwarp();
#pragma unroll
  for (int n = 0; n < steps; ++n)
    wmma::store_matrix_sync(scores + n * kTile, out[n], ld, wmma::mem_row_major);
  __syncwarp();
  T* y_head = y + (int64_t(b) * q_len * heads + h) * D;
  for (int e = lane; e < kTile * D; e += 32) {
    const int r = e / D, c = e % D;
    if (warp_row + r < q_len)
      y_head[(warp_row + r) * head_stride + c] = from_float<T>(scores[r * ld + c]);
  }
}

template <class T>
using Kernel = void (*)(SoftmaxShape, float, const T*, const T*, const T*, const T*, T*);

template <class T>
Kernel<T> kernel_for(int head_size) {
  switch (head_size) {
    case 32:
      return fused_attention_kernel<T, 32>;
    case 64:
      return fused_attention_kernel<T, 64>;
    case 128:
      return fused_attention_kernel<T, 128>;
    default:
      throw Error(ErrorKind::Runtime, "GPU: fused attention takes heads of 32, 64 or 128, not " +
                                          std::to_string(head_size));
  }
}

// Calls f(Tag<T>{}) with T the device type of `type`, F16 or BF16.
template <class F>
void with_type(ElementType type, F&& f) {
  switch (type) {
    case ElementType::F16:
      return f(Tag<__half>{});
    case ElementType::BF16:
      return f(Tag<__nv_bfloat16>{});
    default:
      throw Error(ErrorKind::Runtime,
                  "GPU: fused attention runs on f16 or bf16, not " + std::string(to_string(type)));
  }
}

}  // namespace

size_t fused_shared_bytes(int head_size, int64_t kv_len) {
  return size_t(layout(head_size, kv_len).bytes);
}

void allow_fused_shared_bytes(ElementType type, int head_size, size_t bytes) {
  with_type(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    check(cudaFuncSetAttribute(kernel_for<T>(head_size),
                               cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)),
          "cudaFuncSetAttribute (fused attention's shared memory)");
  });
}

void fused_attention(ElementType type, int head_size, const SoftmaxShape& shape, float scale,
                     const void* q, const void* k, const void* v, const void* mask, void* y,
                     cudaStream_t stream) {
  const dim3 grid(unsigned((shape.q_len + kRows - 1) / kRows), unsigned(shape.heads),
                  unsigned(shape.batch));
  const size_t bytes = fused_shared_bytes(head_size, shape.kv_len);
  with_type(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const Kernel<T> kernel = kernel_for<T>(head_size);
    kernel<<<grid, kBlockThreads, bytes, stream>>>(
        shape, scale, static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v),
        static_cast<const T*>(mask), static_cast<T*>(y));
  });
  check_launch("fused attention");
}

}  // namespace tandem::gpu::attention
