#include "devices/gpu/cuda/device_memory.h"

#include <cuda_runtime.h>
#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/support/judge_util.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

template <typename To>
std::vector<To> converted(const Tensor& host) {
  std::vector<To> out(host.size());
  switch (host.element_type()) {
    case ElementType::F32:
      for (size_t i = 0; i < out.size(); ++i) out[i] = To(host.data<float>()[i]);
      break;
    case ElementType::F16:
      for (size_t i = 0; i < out.size(); ++i) out[i] = To(float(host.data<float16>()[i]));
      break;
    case ElementType::BF16:
      for (size_t i = 0; i < out.size(); ++i) out[i] = To(float(host.data<bfloat16>()[i]));
      break;
    default:
      throw Error(ErrorKind::Runtime, "GPU: converting a non-float tensor");
  }
  return out;
}

}  // namespace

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  void* memory = nullptr;
  // A zero-byte tensor still gets an address of its own.
  const cudaError_t status = cudaMalloc(&memory, bytes ? bytes : 1);
  if (status != cudaSuccess) {
    cudaGetLastError();  // clear it: an allocation failure is not sticky
    size_t free = 0, total = 0;
    cudaMemGetInfo(&free, &total);
    throw Error(ErrorKind::Runtime,
                fmt::format("GPU: out of device memory: cudaMalloc of {:.1f} MiB failed ({}); {:.1f} of {:.1f} "
                            "MiB free",
                            double(bytes) / (1 << 20), cudaGetErrorName(status), double(free) / (1 << 20),
                            double(total) / (1 << 20)));
  }
  memory_ = std::shared_ptr<void>(memory, [](void* p) { cudaFree(p); });
}

DeviceBuffer upload_bytes(const void* host, size_t bytes) {
  DeviceBuffer buffer(bytes);
  if (bytes) check(cudaMemcpy(buffer.get(), host, bytes, cudaMemcpyHostToDevice), "copying to the device");
  return buffer;
}

DeviceBuffer upload(const Tensor& host, ElementType type) {
  if (host.element_type() == type) return upload_bytes(host.data(), host.byte_size());
  if (!is_float(host.element_type()) || !is_float(type))
    throw Error(ErrorKind::Runtime, fmt::format("GPU: cannot upload a {} tensor as {}",
                                                 to_string(host.element_type()), to_string(type)));
  if (type == ElementType::F32) {
    const std::vector<float> values = converted<float>(host);
    return upload_bytes(values.data(), values.size() * sizeof(float));
  }
  if (type == ElementType::F16) {
    const std::vector<float16> values = converted<float16>(host);
    return upload_bytes(values.data(), values.size() * sizeof(float16));
  }
  const std::vector<bfloat16> values = converted<bfloat16>(host);
  return upload_bytes(values.data(), values.size() * sizeof(bfloat16));
}

Tensor device_tensor(ElementType type, const Shape& shape) {
  const size_t bytes = shape_size(shape) * element_size(type);
  DeviceBuffer buffer(bytes);
  return Tensor::wrap(type, shape, buffer.get(), buffer.owner());
}

Tensor pooled_device_tensor(ElementType type, const Shape& shape, cudaStream_t stream) {
  // The pool keeps what is freed to it instead of returning it to the device at each
  // synchronisation, so that steady-state runs find their outputs' memory there.
  static const bool kept = [] {
    cudaMemPool_t pool = nullptr;
    check(cudaDeviceGetDefaultMemPool(&pool, 0), "cudaDeviceGetDefaultMemPool");
    uint64_t keep_all = UINT64_MAX;
    check(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep_all), "cudaMemPoolSetAttribute");
    return true;
  }();
  (void)kept;
  const size_t bytes = shape_size(shape) * element_size(type);
  void* memory = nullptr;
  check(cudaMallocAsync(&memory, bytes ? bytes : 1, stream), "cudaMallocAsync of an output");
  // Freed in no particular stream's order: every run and copy that reads or writes it has
  // synchronised with the host before the last handle can go.
  std::shared_ptr<void> owner(memory, [](void* p) { cudaFreeAsync(p, nullptr); });
  return Tensor::wrap(type, shape, memory, std::move(owner));
}

Tensor pinned_host_tensor(ElementType type, const Shape& shape) {
  if (type == ElementType::String || element_size(type) == 0)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("GPU: no page-locked tensor of element type {}", to_string(type)));
  const size_t bytes = shape_size(shape) * element_size(type);
  void* memory = nullptr;
  // Portable: pinned for every CUDA context of the process, not only the calling thread's.
  const cudaError_t status = cudaHostAlloc(&memory, bytes ? bytes : 1, cudaHostAllocPortable);
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw Error(ErrorKind::Runtime, fmt::format("GPU: cudaHostAlloc of {:.1f} MiB of page-locked memory failed ({})",
                                                double(bytes) / (1 << 20), cudaGetErrorName(status)));
  }
  std::memset(memory, 0, bytes);
  return Tensor::wrap(type, shape, memory, std::shared_ptr<void>(memory, [](void* p) { cudaFreeHost(p); }));
}

namespace {

// Each thread that moves tensors has a stream of its own for it, so that its copies queue behind
// no other thread's kernels (the legacy stream would wait for every blocking stream).
cudaStream_t copy_stream() {
  struct Stream {
    cudaStream_t stream = nullptr;
    Stream() { check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate"); }
    ~Stream() { cudaStreamDestroy(stream); }
  };
  thread_local const Stream s;
  return s.stream;
}

}  // namespace

Tensor to_device(const Tensor& host) {
  const cudaStream_t stream = copy_stream();
  Tensor on_device = pooled_device_tensor(host.element_type(), host.shape(), stream);
  if (host.byte_size())
    check(cudaMemcpyAsync(on_device.data(), host.data(), host.byte_size(), cudaMemcpyHostToDevice, stream),
          "copying an input to the device");
  check(cudaStreamSynchronize(stream), "copying an input to the device");
  return on_device;
}

Tensor to_host(const Tensor& on_device) {
  const cudaStream_t stream = copy_stream();
  Tensor host(on_device.element_type(), on_device.shape());
  if (host.byte_size())
    check(cudaMemcpyAsync(host.data(), on_device.data(), host.byte_size(), cudaMemcpyDeviceToHost, stream),
          "copying an output to the host");
  check(cudaStreamSynchronize(stream), "copying an output to the host");
  return host;
}

}  // namespace tandem::gpu
