// Matrix products on cuBLASLt: MatMul (numpy batching and broadcasting), Gemm and FusedMatMul.
// matmul.cpp plans a node's products and their epilogue on the host; matmul_epilogue.cu runs
// what cuBLASLt's own epilogues cannot express (this header is its plain interface).
#pragma once

#include <cstdint>
#include <memory>

#include "devices/gpu/cuda/gpu_kernel.h"
#include "devices/gpu/cuda/kernels/activation.cuh"

namespace tandem::gpu {

/// The kernel of a MatMul, Gemm or FusedMatMul node (matmul_support accepted it); null for
/// another op. Chooses cuBLASLt's algorithms, so it needs node.handles and a GPU.
std::unique_ptr<GpuKernel> make_matmul_kernel(const GpuNode& node);

namespace matmul {

/// A matrix added to the product before the activation, broadcast by strides (0 along an axis
/// it repeats on): y[i, j] += scale * data[i * row_stride + j * col_stride].
struct Addend {
  const void* data = nullptr;  // none when null
  int64_t row_stride = 0, col_stride = 0;
  float scale = 1.0f;
};

/// y = activation(y + addend) in place over `rows` x `cols` elements (row-major) of storage type
/// `type` (F32, F16 or BF16; the addend's too), computed in f32.
void epilogue(ElementType type, void* y, int64_t rows, int64_t cols, const Addend& addend,
              const DeviceActivation& activation, cudaStream_t stream);

}  // namespace matmul
}  // namespace tandem::gpu
