// A cache of freed buffers by size. Buffers below kSmall go straight to malloc, whose per-thread
// caches already serve them without page faults. The cache is bounded so that a model whose
// sizes change from run to run (dynamic shapes) cannot make it grow without end.
#include "devices/cpu/kernels/activation_pool.h"

#include <mutex>
#include <unordered_map>
#include <vector>

#include "devices/cpu/kernels/onednn_common.h"

namespace tandem::cpu {
namespace {

constexpr size_t kSmall = size_t(64) << 10;
constexpr size_t kPage = size_t(4) << 10;
constexpr size_t kMaxCached = size_t(1) << 30;

class Cache {
 public:
  std::byte* take(size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = free_.find(bytes); it != free_.end() && !it->second.empty()) {
        std::byte* p = it->second.back();
        it->second.pop_back();
        cached_ -= bytes;
        return p;
      }
    }
    return allocate_aligned(bytes).release();
  }

  void give_back(std::byte* p, size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      if (cached_ + bytes <= kMaxCached) {
        free_[bytes].push_back(p);
        cached_ += bytes;
        return;
      }
    }
    std::free(p);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<std::byte*>> free_;
  size_t cached_ = 0;
};

// Never destroyed: tensors that outlive static destruction (a caller's globals) still return
// their buffers to it.
Cache& cache() {
  static Cache* const instance = new Cache;
  return *instance;
}

}  // namespace

std::shared_ptr<std::byte> take_buffer(size_t bytes) {
  if (bytes < kSmall) return std::shared_ptr<std::byte>(allocate_aligned(bytes).release(), FreeAligned());
  const size_t rounded = (bytes + kPage - 1) / kPage * kPage;
  return std::shared_ptr<std::byte>(cache().take(rounded),
                                    [rounded](std::byte* p) { cache().give_back(p, rounded); });
}

Tensor& pooled_output(ops::KernelContext& ctx, size_t i, size_t bytes) {
  // A place holds at least the plain size.
  if (Tensor* placed = ctx.placed_output(i, bytes)) return *placed;
  const ValueType& type = ctx.output_type(i);
  if (!type.is_tensor() || !type.shape.is_static()) return ctx.output(i);  // it reports the error
  Shape shape = type.shape.to_shape();
  const size_t plain = size_t(shape_size(shape)) * element_size(type.element_type);
  std::shared_ptr<std::byte> buffer = take_buffer(std::max(bytes, plain));
  ctx.set_output(i, Tensor::wrap(type.element_type, std::move(shape), buffer.get(), buffer));
  return ctx.output(i);
}

}  // namespace tandem::cpu
