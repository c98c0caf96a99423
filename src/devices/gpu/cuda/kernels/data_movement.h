// Kernels that move elements without arithmetic: Concat, Transpose, Slice, Gather, Expand and the
// view ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity). data_movement_node.cpp reads a node
// and plans its copy on the host; data_movement.cu runs the plans (this header is their plain
// interface). The kernels see elements as opaque words of 1, 2, 4 or 8 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "devices/gpu/cuda/gpu_kernel.h"

namespace tandem::gpu {

/// The kernel of a data-movement node (data_movement_support accepted it); null for another op.
std::unique_ptr<GpuKernel> make_data_movement_kernel(const GpuNode& node);

namespace data_movement {

inline constexpr int kMaxRank = 6;

/// y, dense and row-major over `dims`, takes element [i_0, ..., i_{rank-1}] from x at
/// base + sum(i_d * strides[d]) (strides in elements; negative for a reversed slice, 0 where
/// the output broadcasts). Planned collapsed: no size-1 dimensions, no two neighbours that one
/// dimension could express.
struct StridedCopy {
  int64_t n = 0;  // output elements, < 2^31
  int rank = 0;
  int64_t base = 0;
  std::array<int32_t, kMaxRank> dims{};
  std::array<int64_t, kMaxRank> strides{};
};

void strided_copy(size_t element_bytes, const StridedCopy& copy, const void* x, void* y,
                  cudaStream_t stream);

/// y[b] = transpose(x[b]) for `batch` matrices of `rows` x `cols` elements (shared-memory tiles:
/// both reads and writes coalesced).
void transpose_last2(size_t element_bytes, const void* x, void* y, int64_t batch, int64_t rows,
                     int64_t cols, cudaStream_t stream);

/// y[o, j, i] = x[o, indices[j], i] for x seen as [outer, axis_dim, inner] and `count` indices of
/// `index_type` (I32 or I64; negative ones count from the end, out-of-range ones are clamped).
void gather(size_t element_bytes, ElementType index_type, const void* x, const void* indices,
            void* y, int64_t outer, int64_t axis_dim, int64_t count, int64_t inner,
            cudaStream_t stream);

}  // namespace data_movement
}  // namespace tandem::gpu
