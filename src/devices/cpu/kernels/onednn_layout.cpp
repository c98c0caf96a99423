// Tensors that hold a blocked layout.
#include "devices/cpu/kernels/onednn_layout.h"

#include <memory>

#include "devices/cpu/kernels/activation_pool.h"

namespace tandem::cpu {

Tensor blocked_tensor(const Shape& shape, const dnnl::memory::desc& layout) {
  std::shared_ptr<std::byte> bytes = take_buffer(layout.get_size());
  return Tensor::wrap(ElementType::F32, shape, bytes.get(), bytes);
}

}  // namespace tandem::cpu
