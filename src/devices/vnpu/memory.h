// The VNPU's own memory: a counted pool that tensors are placed in and that transfers convert to
// and from, so the heterogeneous path meets the copies and the limit of a real NPU's memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "tandem/tensor.h"

namespace tandem::vnpu {

/// What a real NPU of this class carries; the VNPU's pool has this capacity.
inline constexpr size_t kDeviceMemoryBytes = size_t(1) << 30;

/// A counted pool of device memory. Bytes are reserved when a tensor is placed in it and returned
/// when the last handle to that tensor dies, whichever thread drops it. Thread-safe; handles may
/// outlive the pool.
class MemoryPool {
 public:
  explicit MemoryPool(size_t capacity);
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;

  size_t capacity() const { return capacity_; }
  size_t in_use() const { return in_use_->load(); }
  /// Holds `bytes` of the pool until the returned handle dies. Throws Runtime
  /// "VNPU: out of device memory: needs X MiB, Y of Z MiB in use" when they do not fit.
  std::shared_ptr<const void> reserve(size_t bytes);
  /// The same tensor, its bytes counted in the pool for as long as a handle to the result lives.
  Tensor adopt(const Tensor& tensor);

 private:
  size_t capacity_;
  // Shared with every reservation, so one that dies after the pool still has a counter to return
  // to.
  std::shared_ptr<std::atomic<size_t>> in_use_;
};

/// The VNPU's memory (kDeviceMemoryBytes).
MemoryPool& device_memory();

/// How a tensor of `logical` type is stored in VNPU memory: f32 as f16, the rest as they are.
ElementType storage_type(ElementType logical);
/// `host` copied into `pool` in storage format (f32 rounded to f16).
Tensor to_device(const Tensor& host, MemoryPool& pool);
/// `on_device` copied to host memory as `logical` (f16 widened to f32 when `logical` is f32).
Tensor to_host(const Tensor& on_device, ElementType logical);

}  // namespace tandem::vnpu
