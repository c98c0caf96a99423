#include "devices/gpu/support/op_support.h"

#include <fmt/format.h>

namespace tandem::gpu {

devices::Support gpu_support(const execution::NodeInfo& info) {
  // The executor plans device memory once, at compile time: every shape must be known by then.
  for (size_t i = 0; i < info.input_types.size(); ++i) {
    const ValueType* type = info.input_types[i];
    if (!type) continue;  // an omitted optional input
    if (!type->is_tensor()) return {false, fmt::format("input {} is not a tensor", i)};
    if (!type->shape.is_static()) return {false, fmt::format("input {} has a dynamic shape", i)};
  }
  for (size_t i = 0; i < info.output_types.size(); ++i) {
    const ValueType& type = info.output_types[i];
    if (!type.is_tensor()) return {false, fmt::format("output {} is not a tensor", i)};
    if (!type.shape.is_static()) return {false, fmt::format("output {} has a dynamic shape", i)};
  }
  for (const auto judge : {conv_support, pool_support, matmul_support, attention_support,
                           normalization_support, elementwise_support, data_movement_support})
    if (std::optional<devices::Support> answer = judge(info)) return *answer;
  return {false, fmt::format("no GPU kernel for {}", info.node.op_type)};
}

}  // namespace tandem::gpu
