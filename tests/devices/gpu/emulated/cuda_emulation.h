// CUDA's device side on the CPU, force-included into every kernel source that
// translate_kernels.py rewrote, so that the GPU kernel tests run where the CUDA toolkit is
// installed but no GPU is (a developer's machine; CI builds no CUDA at all).
//
// We wrote this by hand because no maintained CUDA-on-CPU emulator we know of runs CUDA 13
// sources with nvcuda::wmma as they are (GPU Ocelot, which ran PTX, stopped at CUDA 5; HIP-CPU
// takes HIP's API, not CUDA's), and our kernels use little: threadIdx and friends,
// __syncthreads, __syncwarp, __shfl_xor_sync, static and dynamic __shared__ arrays, and WMMA
// 16x16x16 (wmma_emulation.h).
//
// What it emulates:
//   - Each block runs its threads as fibers on one OS thread (cuda_emulation.cpp), the
//     lowest-numbered thread that can run first, each until it waits at a barrier: a warp runs as
//     far ahead of the later ones as barriers allow, so that a missing __syncthreads or
//     __syncwarp shows as a read of poison or of a value already overwritten. A block whose
//     threads never wait costs one loop over threadIdx. Blocks run on a few OS threads at once.
//   - __syncthreads and __syncwarp wait for every live thread of the block or warp (exited ones
//     do not count, as on Volta and later); a barrier no thread can pass aborts as a deadlock.
//   - __shfl_xor_sync with a full mask aborts where the warp has fewer than 32 live lanes.
//   - Shared memory, static and dynamic, starts as 0xff bytes (NaN in f32, f16 and bf16), so a
//     read before any write shows; more than 48 KiB of dynamic shared memory needs the kernel's
//     cudaFuncAttributeMaxDynamicSharedMemorySize, up to an H100's 232448 bytes (host_runtime.cpp).
//   - Launch configurations outside CUDA's limits fail as cudaGetLastError reports them.
//
// What it does NOT check: GPU memory ordering, and races that this one order of threads hides
// (a later warp running ahead of an earlier one, threads interleaved between barriers),
// device math to its ULPs (expf and friends are the host's), real alignment faults (only WMMA's
// pointers and ldm are checked), WMMA's fragment layouts and tensor cores' rounding, warp
// divergence, shuffles with a partial mask (they abort), the real cuDNN and cuBLAS (host
// stand-ins written from their documentation take their place: cublas_emulation.cpp,
// cudnn_emulation.cpp) and the speed of anything.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mma.h>  // included while __CUDACC__ is unset: its guard set, no device code declared
#include <vector_functions.h>
#include <vector_types.h>

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

// Device code is host code here. __CUDACC__ makes headers such as activation.cuh show their
// device half.
#undef __global__
#undef __device__
#undef __host__
#undef __forceinline__
#undef __shared__
#undef __launch_bounds__
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __CUDACC__ 1

namespace tandem::gpu::emulation {

/// The running CUDA thread's coordinates and its launch's dimensions.
struct ThreadIndex {
  uint3 thread{}, block{};
  dim3 block_dim, grid_dim;
};
/// Set for the fiber that runs; one OS thread runs one fiber at a time.
extern thread_local ThreadIndex current_index;

/// Aborts, naming the kernel, block and thread.
[[noreturn]] void fatal(const char* what);

void sync_threads();
void sync_warp();
/// Exchanges 8 bytes with lane `source_lane` of the warp: a barrier among the warp's lanes, as
/// the real shuffle is.
uint64_t exchange_in_warp(uint64_t value, unsigned mask, int source_xor, int width);

/// The block's storage for the static __shared__ array declared at `site`, made on first use.
void* static_shared(const void* site, size_t bytes);
/// The block's dynamic shared memory, 128-byte aligned.
unsigned char* dynamic_shared();

template <class T>
T shfl_xor_sync(unsigned mask, T value, int lane_mask, int width = 32) {
  static_assert(sizeof(T) <= sizeof(uint64_t) && std::is_trivially_copyable_v<T>);
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  bits = exchange_in_warp(bits, mask, lane_mask, width);
  std::memcpy(&value, &bits, sizeof(T));
  return value;
}

/// A static __shared__ declaration's storage, one per block: each declaration site passes a
/// lambda, whose type is unique to the site and to the template instance around it.
template <class T, class Site>
T& shared_array(Site) {
  static const char site = 0;
  return *static_cast<T*>(static_shared(&site, sizeof(T)));
}

/// A launch's shape as it was asked for.
struct LaunchShape {
  const char* kernel = "";
  const void* function = nullptr;  // for its shared-memory attribute
  dim3 grid, block;
  size_t dynamic_shared_bytes = 0;
  /// Whether its source file has barriers, shuffles or shared memory (translate_kernels.py
  /// looks): a kernel whose threads cannot wait runs each to its end in a plain loop.
  bool may_wait = true;
  cudaStream_t stream = nullptr;
};

/// Enqueues `body` on the launch's stream, to run once per thread of the grid (host_runtime.h:
/// now, or at each launch of a graph captured from the stream), or records the launch error.
void run_grid(const LaunchShape& shape, std::function<void()> body);

template <class... P>
struct Launcher {
  LaunchShape shape;
  void (*function)(P...);

  template <class... A>
  void operator()(A&&... args) const {
    // The arguments are converted to the parameters' types once, when the launch is made, as
    // CUDA copies them (a captured launch keeps them for every replay); each thread gets its own
    // copy, since a kernel may change its parameters.
    run_grid(shape, [function = function,
                     parameters = std::tuple<std::decay_t<P>...>(std::forward<A>(args)...)] {
      std::tuple<std::decay_t<P>...> copy = parameters;
      std::apply(function, copy);
    });
  }
};

/// What translate_kernels.py writes for `kernel<<<grid, block, bytes, stream>>>(args)`:
/// launch<may_wait>("kernel", kernel, grid, block, bytes, stream)(args).
template <bool may_wait, class... P>
Launcher<P...> launch(const char* name, void (*function)(P...), dim3 grid, dim3 block,
                      size_t dynamic_shared_bytes = 0, cudaStream_t stream = nullptr) {
  return Launcher<P...>{{name, reinterpret_cast<const void*>(function), grid, block,
                         dynamic_shared_bytes, may_wait, stream},
                        function};
}

}  // namespace tandem::gpu::emulation

#define threadIdx (::tandem::gpu::emulation::current_index.thread)
#define blockIdx (::tandem::gpu::emulation::current_index.block)
#define blockDim (::tandem::gpu::emulation::current_index.block_dim)
#define gridDim (::tandem::gpu::emulation::current_index.grid_dim)
#define warpSize 32
#define __syncthreads() ::tandem::gpu::emulation::sync_threads()
#define __syncwarp(...) ::tandem::gpu::emulation::sync_warp()
#define __shfl_xor_sync(...) ::tandem::gpu::emulation::shfl_xor_sync(__VA_ARGS__)

// Device functions the host's libm lacks, or has only for double or in std::.
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline int64_t min(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t max(int64_t a, int64_t b) { return a > b ? a : b; }
inline unsigned __float_as_uint(float f) {
  unsigned u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float __uint_as_float(unsigned u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// cuda_runtime.h declares its typed overloads only for nvcc, which we are not when it is included.
template <class... P>
cudaError_t cudaFuncSetAttribute(void (*function)(P...), cudaFuncAttribute attribute, int value) {
  return ::cudaFuncSetAttribute(reinterpret_cast<const void*>(function), attribute, value);
}

#include "devices/gpu/emulated/wmma_emulation.h"
