// What every pointwise kernel of the GPU device shares: f32, f16 and bf16 storage read and written
// through f32 arithmetic, dispatch on a float storage type, and the grid of a grid-stride loop.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "tandem/element_type.h"
#include "tandem/error.h"

namespace tandem::gpu {

/// A stored element as f32.
__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(__half v) { return __half2float(v); }
__device__ __forceinline__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }

/// An f32 result rounded to nearest-even into the storage type T.
template <class T>
__device__ __forceinline__ T from_float(float v);
template <>
__device__ __forceinline__ float from_float<float>(float v) {
  return v;
}
template <>
__device__ __forceinline__ __half from_float<__half>(float v) {
  return __float2half_rn(v);
}
template <>
__device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

/// Threads per block of the grid-stride kernels.
constexpr int kThreads = 256;
/// Enough blocks to fill an H100 many times over; the grid-stride loops take the rest.
constexpr int64_t kMaxBlocks = 8192;

/// Blocks of kThreads covering `items`, at least one and at most `max_blocks`.
inline int blocks_for(int64_t items, int64_t max_blocks = kMaxBlocks) {
  return int(std::clamp<int64_t>((items + kThreads - 1) / kThreads, 1, max_blocks));
}

/// A type carried as a value, for the generic lambdas the dispatchers below call.
template <class T>
struct Tag {
  using type = T;
};

/// Calls f(Tag<T>{}) with T the device type that stores `type`; any other type is Unsupported,
/// "<what>: storage type <type> is not a float".
template <class F>
void with_float_type(ElementType type, std::string_view what, F&& f) {
  switch (type) {
    case ElementType::F32:
      return f(Tag<float>{});
    case ElementType::F16:
      return f(Tag<__half>{});
    case ElementType::BF16:
      return f(Tag<__nv_bfloat16>{});
    default:
      throw Error(ErrorKind::Unsupported, std::string(what) + ": storage type " +
                                              std::string(to_string(type)) + " is not a float");
  }
}

}  // namespace tandem::gpu
