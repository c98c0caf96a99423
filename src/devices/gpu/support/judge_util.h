// The small questions every family's judge asks (op_support.h's *_support): which storage types
// the kernels compute in, which inputs are constants, what cuDNN can index.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "devices/device.h"
#include "execution/kernel.h"

namespace tandem::gpu {

/// The float types the GPU's kernels store and compute in: f32, f16 and bf16 (the judges', the
/// kernels' and the executor's one test of it).
inline bool is_float(ElementType type) {
  return type == ElementType::F32 || type == ElementType::F16 || type == ElementType::BF16;
}

/// A refusal, with the reason the placement report gives.
inline devices::Support no(std::string reason) { return {false, std::move(reason)}; }

/// Input i's value where the planner knows it at compile time, else null.
inline const Value* constant(const execution::NodeInfo& info, size_t i) {
  return i < info.constants.size() ? info.constants[i] : nullptr;
}

/// Whether cuDNN takes the shape: its descriptors take positive int dimensions, and its kernels
/// index a tensor with 32-bit offsets.
inline bool fits_cudnn(const std::vector<int64_t>& shape) {
  int64_t size = 1;
  for (int64_t d : shape) {
    if (d <= 0 || d > std::numeric_limits<int32_t>::max()) return false;
    size *= d;
  }
  return size < std::numeric_limits<int32_t>::max();
}

}  // namespace tandem::gpu
