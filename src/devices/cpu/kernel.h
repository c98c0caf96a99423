// Optimised CPU kernels: chosen per node at compile time, beside the ops' reference kernels.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "ops/kernel_context.h"
#include "tandem/value.h"

namespace tandem::cpu {

/// A kernel compiled for one node: primitive created and weights packed once, at compile time.
/// run() is called by many requests at once and must be thread-safe; it fills the node's outputs
/// through the context exactly as the reference kernel would.
class Kernel {
 public:
  virtual ~Kernel() = default;
  /// The implementation, for profiles: "onednn_conv_f32", "onednn_matmul_f32".
  virtual std::string_view name() const = 0;
  virtual void run(ops::KernelContext& ctx) const = 0;
};

/// What the planner knows about a node when it picks a kernel. Shapes may be partial;
/// `constants` holds an input's value where it is a constant (weights), else null.
struct NodeInfo {
  const ir::Node& node;
  int opset;
  std::vector<const ValueType*> input_types;
  std::vector<const Value*> constants;
  std::vector<ValueType> output_types;
};

/// An optimised kernel for the node, or null when none applies (the reference kernel runs then).
/// Each candidate checks everything it relies on (types, static shapes, constant weights,
/// attributes) and declines otherwise.
std::unique_ptr<Kernel> select_kernel(const NodeInfo& info);

}  // namespace tandem::cpu
