// data_movement_support: which copies (Concat, Transpose, Slice, Gather, Expand, and the views
// Reshape, Flatten, Squeeze, Unsqueeze, Identity) the GPU's data-movement kernels run.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "devices/gpu/support/judge_util.h"
#include "devices/gpu/support/op_support.h"
#include "ops/node_context.h"

namespace tandem::gpu {
namespace {

const std::set<std::string, std::less<>> kOps = {"Concat", "Transpose", "Slice", "Gather",
                                                 "Expand", "Reshape", "Flatten", "Squeeze",
                                                 "Unsqueeze", "Identity"};

bool movable(ElementType t) {
  switch (t) {
    case ElementType::Undefined:
    case ElementType::String:
    case ElementType::F64:  // a float type: it would be stored in the compute type, as f32 is not
    case ElementType::C64:
    case ElementType::C128:
      return false;
    default:
      return !is_narrow(t) || element_size(t) == 1;
  }
}

}  // namespace

std::optional<devices::Support> data_movement_support(const execution::NodeInfo& info) {
  const std::string& op = info.node.op_type;
  const std::string& domain = info.node.domain;
  if (!kOps.contains(op) || (!domain.empty() && domain != "ai.onnx")) return std::nullopt;
  if (info.input_types.empty() || !info.input_types[0] || info.output_types.size() != 1)
    return no(fmt::format("{} without its input, or with more than one output", op));
  const ElementType type = info.output_types[0].element_type;
  if (!movable(type)) return no(fmt::format("{} of {}", op, to_string(type)));
  for (const ValueType* in : info.input_types)
    if (in && shape_size(in->shape.to_shape()) > std::numeric_limits<int32_t>::max())
      return no("tensors of 2^31 elements or more");
  if (shape_size(info.output_types[0].shape.to_shape()) > std::numeric_limits<int32_t>::max())
    return no("tensors of 2^31 elements or more");
  const size_t rank = info.input_types[0]->shape.rank();

  if (op == "Transpose" || op == "Slice" || op == "Expand") {
    if (std::max(rank, info.output_types[0].shape.rank()) > 6)
      return no(fmt::format("{} over more than 6 dimensions", op));
  }
  if (op == "Slice") {
    const ops::NodeContext ctx(info.node, info.opset);
    if (ctx.opset() >= 10)
      for (size_t i = 1; i <= 4; ++i)
        if (ctx.has_input(i) && !constant(info, i))
          return no(fmt::format("Slice's input {} is not a constant", i));
  }
  if (op == "Gather") {
    if (rank == 0) return no("Gather from a scalar");
    const ElementType index = info.input_types.size() > 1 && info.input_types[1]
                                  ? info.input_types[1]->element_type
                                  : ElementType::Undefined;
    if (index != ElementType::I64 && index != ElementType::I32)
      return no(fmt::format("Gather with indices of {}", to_string(index)));
  }
  return devices::Support{true, ""};
}

}  // namespace tandem::gpu
