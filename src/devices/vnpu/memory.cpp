// The VNPU's memory pool and the conversions of its transfers.
#include "devices/vnpu/memory.h"

#include <fmt/format.h>

#include <utility>

namespace tandem::vnpu {
namespace {

double mebibytes(size_t bytes) { return double(bytes) / double(1 << 20); }

// A tensor's memory with the reservation that counts it; dies with the last handle to either.
struct Placed {
  Tensor tensor;
  std::shared_ptr<const void> reservation;
};

}  // namespace

MemoryPool::MemoryPool(size_t capacity)
    : capacity_(capacity), in_use_(std::make_shared<std::atomic<size_t>>(0)) {}

std::shared_ptr<const void> MemoryPool::reserve(size_t bytes) {
  size_t used = in_use_->load();
  do {
    if (bytes > capacity_ - std::min(used, capacity_))
      throw Error(
          ErrorKind::Runtime,
          fmt::format("VNPU: out of device memory: needs {:.1f} MiB, {:.1f} of {:.0f} MiB in use",
                      mebibytes(bytes), mebibytes(used), mebibytes(capacity_)));
  } while (!in_use_->compare_exchange_weak(used, used + bytes));
  return std::shared_ptr<const void>(
      nullptr, [counter = in_use_, bytes](const void*) { counter->fetch_sub(bytes); });
}

Tensor MemoryPool::adopt(const Tensor& tensor) {
  auto placed = std::make_shared<Placed>(Placed{tensor, reserve(tensor.byte_size())});
  void* data = placed->tensor.data();
  return Tensor::wrap(tensor.element_type(), tensor.shape(), data, std::move(placed));
}

MemoryPool& device_memory() {
  static MemoryPool pool(kDeviceMemoryBytes);
  return pool;
}

ElementType storage_type(ElementType logical) {
  return logical == ElementType::F32 ? ElementType::F16 : logical;
}

Tensor to_device(const Tensor& host, MemoryPool& pool) {
  if (host.element_type() != ElementType::F32) return pool.adopt(host.clone());
  // Reserved before the copy is made, as a device allocation precedes its transfer.
  const size_t bytes = size_t(host.size()) * sizeof(float16);
  auto reservation = pool.reserve(bytes);
  Tensor half(ElementType::F16, host.shape());
  auto from = host.span<const float>();
  auto to = half.span<float16>();
  for (size_t i = 0; i < from.size(); ++i) to[i] = float16(from[i]);
  auto placed = std::make_shared<Placed>(Placed{half, std::move(reservation)});
  void* data = placed->tensor.data();
  return Tensor::wrap(ElementType::F16, host.shape(), data, std::move(placed));
}

Tensor to_host(const Tensor& on_device, ElementType logical) {
  if (logical != ElementType::F32 || on_device.element_type() != ElementType::F16)
    return on_device.clone();
  Tensor wide(ElementType::F32, on_device.shape());
  auto from = on_device.span<const float16>();
  auto to = wide.span<float>();
  for (size_t i = 0; i < from.size(); ++i) to[i] = float(from[i]);
  return wide;
}

}  // namespace tandem::vnpu
