#include "devices/gpu/cuda/kernels/judged.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "tandem/error.h"

namespace tandem::gpu {

void require_judged(const GpuNode& g, Judge judge, std::string_view other_op) {
  const size_t n = g.input_shapes.size();
  std::vector<ValueType> types;
  types.reserve(n);
  for (size_t i = 0; i < n; ++i)
    types.push_back(ValueType::tensor(g.input_types[i], PartialShape(g.input_shapes[i])));
  std::vector<const ValueType*> inputs;
  for (const ValueType& t : types) inputs.push_back(&t);
  std::vector<ValueType> outputs;
  for (size_t i = 0; i < g.output_shapes.size(); ++i)
    outputs.push_back(ValueType::tensor(g.output_types[i], PartialShape(g.output_shapes[i])));
  const execution::NodeInfo info{g.node,  g.opset,  inputs, std::vector<const Value*>(n, nullptr),
                                 outputs, g.compute};
  const devices::Support support =
      judge(info).value_or(devices::Support{false, std::string(other_op)});
  if (!support.ok)
    throw Error(ErrorKind::Unsupported, fmt::format("GPU: node '{}' ({}): {}", g.node.name,
                                                    g.node.op_type, support.reason));
}

}  // namespace tandem::gpu
