#include "devices/gpu/cuda/convert.h"
#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/storage.cuh"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

template <typename From, typename To>
__global__ void convert_kernel(const From* source, To* target, size_t count) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < count; i += size_t(gridDim.x) * blockDim.x)
    target[i] = from_float<To>(to_float(source[i]));
}

template <typename From, typename To>
void launch(const void* source, void* target, size_t count, cudaStream_t stream) {
  convert_kernel<From, To><<<blocks_for(int64_t(count), 65535), kThreads, 0, stream>>>(
      static_cast<const From*>(source), static_cast<To*>(target), count);
  check_launch("convert");
}

template <typename From>
void launch_from(const void* source, void* target, ElementType to, size_t count, cudaStream_t stream) {
  switch (to) {
    case ElementType::F32: return launch<From, float>(source, target, count, stream);
    case ElementType::F16: return launch<From, __half>(source, target, count, stream);
    case ElementType::BF16: return launch<From, __nv_bfloat16>(source, target, count, stream);
    default: throw Error(ErrorKind::Runtime, "GPU: convert to a non-float type");
  }
}

}  // namespace

void convert(const void* source, ElementType from, void* target, ElementType to, size_t count,
             cudaStream_t stream) {
  if (count == 0) return;
  if (from == to) {
    check(cudaMemcpyAsync(target, source, count * element_size(from), cudaMemcpyDeviceToDevice, stream),
          "copying on the device");
    return;
  }
  switch (from) {
    case ElementType::F32: return launch_from<float>(source, target, to, count, stream);
    case ElementType::F16: return launch_from<__half>(source, target, to, count, stream);
    case ElementType::BF16: return launch_from<__nv_bfloat16>(source, target, to, count, stream);
    default: throw Error(ErrorKind::Runtime, "GPU: convert from a non-float type");
  }
}

}  // namespace tandem::gpu
