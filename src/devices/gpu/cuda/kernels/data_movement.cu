// The kernels of data_movement.h: grid-stride loops over the output, elements copied as words of
// their size (gather rows as 16-byte words where sizes and addresses allow).
#include <cstdint>
#include <string>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/data_movement.h"
#include "devices/gpu/cuda/kernels/storage.cuh"
#include "tandem/error.h"

namespace tandem::gpu::data_movement {
namespace {

constexpr int kTile = 32;
constexpr int kTileRows = 8;  // a 32 x 8 block walks a 32 x 32 tile
static_assert(sizeof(::uint4) == 16);

// Calls f(Tag<W>{}) with W the unsigned word of `bytes` bytes: CUDA's ::uint4 for 16, since a
// plain uint4 here is tandem::uint4, the 4-bit integer of tandem/narrow_types.h.
template <class F>
void with_word(size_t bytes, F&& f) {
  switch (bytes) {
    case 1: return f(Tag<uint8_t>{});
    case 2: return f(Tag<uint16_t>{});
    case 4: return f(Tag<uint32_t>{});
    case 8: return f(Tag<uint64_t>{});
    case 16: return f(Tag<::uint4>{});
    default:
      throw Error(ErrorKind::Unsupported,
                  "GPU data movement: elements of " + std::to_string(bytes) + " bytes");
  }
}

template <class W>
__global__ void strided_copy_kernel(StridedCopy c, const W* x, W* y) {
  // The index in 64 bits: n < 2^31, but adding the grid's stride to it may not be.
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < c.n;
       i += int64_t(gridDim.x) * blockDim.x) {
    int32_t rest = int32_t(i);
    int64_t offset = c.base;
#pragma unroll
    for (int d = kMaxRank - 1; d >= 0; --d) {
      if (d >= c.rank) continue;
      const int32_t q = rest / c.dims[d];
      offset += int64_t(rest - q * c.dims[d]) * c.strides[d];
      rest = q;
    }
    y[i] = x[offset];
  }
}

// Block (32, 8) per 32 x 32 tile; the tile's extra column keeps the column reads free of bank
// conflicts. Grid: x over column tiles, y over row tiles, z over the batch.
template <class W>
__global__ void transpose_kernel(const W* x, W* y, int64_t rows, int64_t cols) {
  __shared__ W tile[kTile][kTile + 1];
  const int64_t batch = blockIdx.z;
  const W* xb = x + batch * rows * cols;
  W* yb = y + batch * rows * cols;
  const int64_t c0 = int64_t(blockIdx.x) * kTile, r0 = int64_t(blockIdx.y) * kTile;
  for (int k = threadIdx.y; k < kTile; k += kTileRows) {
    const int64_t r = r0 + k, c = c0 + threadIdx.x;
    if (r < rows && c < cols) tile[k][threadIdx.x] = xb[r * cols + c];
  }
  __syncthreads();
  for (int k = threadIdx.y; k < kTile; k += kTileRows) {
    const int64_t c = c0 + k, r = r0 + threadIdx.x;  // y is [cols, rows]
    if (c < cols && r < rows) yb[c * rows + r] = tile[threadIdx.x][k];
  }
}

template <class W, class I>
__global__ void gather_kernel(const W* x, const I* indices, W* y, int64_t outer, int64_t axis_dim,
                              int64_t count, int64_t inner) {
  const int64_t n = outer * count * inner;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < n;
       e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = e % inner, row = e / inner;
    const int64_t j = row % count, o = row / count;
    int64_t index = int64_t(indices[j]);
    if (index < 0) index += axis_dim;
    index = index < 0 ? 0 : (index >= axis_dim ? axis_dim - 1 : index);
    y[e] = x[(o * axis_dim + index) * inner + i];
  }
}

bool aligned(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

}  // namespace

void strided_copy(size_t element_bytes, const StridedCopy& copy, const void* x, void* y,
                  cudaStream_t stream) {
  if (copy.n == 0) return;
  with_word(element_bytes, [&](auto tag) {
    using W = typename decltype(tag)::type;
    strided_copy_kernel<W><<<blocks_for(copy.n), kThreads, 0, stream>>>(
        copy, static_cast<const W*>(x), static_cast<W*>(y));
    check_launch("strided_copy_kernel");
  });
}

void transpose_last2(size_t element_bytes, const void* x, void* y, int64_t batch, int64_t rows,
                     int64_t cols, cudaStream_t stream) {
  if (batch == 0 || rows == 0 || cols == 0) return;
  if (batch > 65535 || (rows + kTile - 1) / kTile > 65535)
    throw Error(ErrorKind::Unsupported, "GPU Transpose: a batch of more than 65535 matrices");
  with_word(element_bytes, [&](auto tag) {
    using W = typename decltype(tag)::type;
    const dim3 grid(unsigned((cols + kTile - 1) / kTile), unsigned((rows + kTile - 1) / kTile),
                    unsigned(batch));
    transpose_kernel<W><<<grid, dim3(kTile, kTileRows), 0, stream>>>(
        static_cast<const W*>(x), static_cast<W*>(y), rows, cols);
    check_launch("transpose_kernel");
  });
}

void gather(size_t element_bytes, ElementType index_type, const void* x, const void* indices,
            void* y, int64_t outer, int64_t axis_dim, int64_t count, int64_t inner,
            cudaStream_t stream) {
  if (outer == 0 || count == 0 || inner == 0) return;
  // Rows of whole 16-byte words (an embedding row of 768 f16) move as such.
  size_t word = element_bytes;
  const size_t row_bytes = size_t(inner) * element_bytes;
  if (row_bytes % 16 == 0 && aligned(x, 16) && aligned(y, 16)) word = 16;
  const int64_t words = int64_t(row_bytes / word);
  with_word(word, [&](auto tag) {
    using W = typename decltype(tag)::type;
    const int64_t n = outer * count * words;
    if (index_type == ElementType::I64)
      gather_kernel<W, int64_t><<<blocks_for(n), kThreads, 0, stream>>>(
          static_cast<const W*>(x), static_cast<const int64_t*>(indices), static_cast<W*>(y), outer,
          axis_dim, count, words);
    else if (index_type == ElementType::I32)
      gather_kernel<W, int32_t><<<blocks_for(n), kThreads, 0, stream>>>(
          static_cast<const W*>(x), static_cast<const int32_t*>(indices), static_cast<W*>(y), outer,
          axis_dim, count, words);
    else
      throw Error(ErrorKind::Unsupported,
                  "GPU Gather: indices of " + std::string(to_string(index_type)));
    check_launch("gather_kernel");
  });
}

}  // namespace tandem::gpu::data_movement
