// Optimised kernels a device chooses per node at compile time, beside the ops' reference kernels.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "ops/kernel_context.h"
#include "tandem/element_type.h"
#include "tandem/error.h"
#include "tandem/value.h"

namespace tandem::execution {

/// A kernel compiled for one node: primitive created and weights packed once, at compile time.
/// run() is called by many requests at once and must be thread-safe; it fills the node's outputs
/// through the context exactly as the reference kernel would.
class Kernel {
 public:
  virtual ~Kernel() = default;
  /// The implementation, for profiles: "onednn_conv_f32", "onednn_matmul_f32".
  virtual std::string_view name() const = 0;
  virtual void run(ops::KernelContext& ctx) const = 0;
  /// The bytes output i takes where a run places it ahead (KernelContext::place_output): more
  /// than the plain tensor's for a blocked layout, which pads the channels; 0 for the plain size.
  virtual size_t output_bytes(size_t) const { return 0; }
  /// The input whose bytes output i may take, or -1: the kernel reads that input where it writes
  /// the output (a residual that a convolution's sum post-op adds into its dst). The static
  /// executor then places the two at one offset where nothing reads the input afterwards.
  virtual int in_place_input(size_t) const { return -1; }
  /// Whether the kernel keeps constant input i in a form of its own (weights packed at compile
  /// time) and never reads the input at run time. The plan then lets the constant go, so that the
  /// weights are held once, not twice; the kernel's run() then sees a tensor of the right type and
  /// shape without memory in its place.
  virtual bool holds_input(size_t) const { return false; }
  /// Input i as it was given at compile time, rebuilt from the kernel's own form: a saved model
  /// writes it. Only asked of inputs the kernel holds.
  virtual Tensor held_input(size_t i) const {
    throw Error(ErrorKind::Runtime, std::string(name()) + " holds no input " + std::to_string(i));
  }
};

/// What the planner knows about a node when it picks a kernel. Shapes may be partial;
/// `constants` holds an input's value where it is a constant (weights), else null.
struct NodeInfo {
  const ir::Node& node;
  int opset;
  std::vector<const ValueType*> input_types;
  std::vector<const Value*> constants;
  std::vector<ValueType> output_types;
  /// INFERENCE_PRECISION_HINT: F32 for exact fp32; BF16 lets matmul- and conv-class
  /// kernels compute in bf16 (inputs and weights rounded, fp32 accumulation and outputs).
  ElementType inference_precision = ElementType::F32;
};

/// A device's choice of kernel for a node, or null for the op's reference kernel.
using KernelSelector = std::function<std::unique_ptr<Kernel>(const NodeInfo&)>;

}  // namespace tandem::execution
