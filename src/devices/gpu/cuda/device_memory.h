// Device memory for what lives as long as an executable (weights, arenas) and for device-resident
// tensors: buffers that free themselves, and host data uploaded in the type the kernels read.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <memory>

#include "tandem/element_type.h"
#include "tandem/tensor.h"

namespace tandem::gpu {

/// `bytes` of device memory (cudaMalloc: 256-byte aligned), freed when the last copy of the
/// handle dies. Copies share the memory.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /// Throws Runtime "GPU: out of device memory ..." naming the size when cudaMalloc fails.
  explicit DeviceBuffer(size_t bytes);
  void* get() const { return memory_.get(); }
  size_t bytes() const { return bytes_; }
  /// The owner to hand to Tensor::wrap, so that a tensor over this memory keeps it.
  std::shared_ptr<const void> owner() const { return memory_; }

 private:
  std::shared_ptr<void> memory_;
  size_t bytes_ = 0;
};

/// `host`'s elements converted to `type` and copied to a new buffer, synchronously (compile time).
/// Float tensors convert among f32, f16 and bf16; any other tensor must already be `type`.
DeviceBuffer upload(const Tensor& host, ElementType type);
/// `bytes` of host memory copied to a new buffer, synchronously.
DeviceBuffer upload_bytes(const void* host, size_t bytes);

/// A tensor of `type` and `shape` over device memory (its data() is a device pointer; host code
/// must not read it).
Tensor device_tensor(ElementType type, const Shape& shape);
/// As device_tensor, from the device's stream-ordered pool, allocated in order on `stream`: after a
/// first run, a run's outputs reuse pooled memory instead of a cudaMalloc each (which synchronises
/// the device). Freed to the pool when the last handle dies, once its stream's work is done.
Tensor pooled_device_tensor(ElementType type, const Shape& shape, cudaStream_t stream);
/// Zeroed page-locked host memory (cudaHostAlloc), freed when the last handle dies: copies from and
/// to it are DMA transfers that need no staging buffer, so cudaMemcpyAsync returns at once.
Tensor pinned_host_tensor(ElementType type, const Shape& shape);
/// A host tensor copied to the device as it is (into pooled memory), and back; each returns when
/// its copy is done.
Tensor to_device(const Tensor& host);
Tensor to_host(const Tensor& on_device);

}  // namespace tandem::gpu
