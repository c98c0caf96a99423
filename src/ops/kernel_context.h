// What a reference kernel sees: input values, outputs to fill, attributes, and subgraphs to run.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "ops/node_context.h"
#include "tandem/value.h"

namespace tandem::ops {

/// Runs a subgraph of the node being executed (If branch, Loop/Scan body). The subgraph sees the
/// values of its enclosing graphs by name. Implemented by the runtime.
class SubgraphRunner {
 public:
  virtual ~SubgraphRunner() = default;
  virtual std::vector<Value> run(const ir::Graph& graph, std::vector<Value> inputs) = 0;
};

class KernelContext : public NodeContext {
 public:
  KernelContext(const ir::Node& node, int opset, std::vector<const Value*> inputs,
                const std::vector<ValueType>& output_types, SubgraphRunner* subgraphs);

  /// Input i of any kind; throws InvalidModel when absent.
  const Value& value(size_t i) const;
  /// Input i as a tensor; throws when absent or not a tensor.
  const Tensor& input(size_t i) const;

  /// Output i, allocated on first use with the element type and shape inferred for it. Throws
  /// Runtime when inference left the shape open: such kernels call allocate_output instead.
  Tensor& output(size_t i);
  /// Allocates output i with a shape only the kernel can know (NonZero, Unique, Loop, …).
  Tensor& allocate_output(size_t i, ElementType type, Shape shape);
  /// Sets output i to a value of any kind (sequences, optionals, a tensor computed elsewhere).
  void set_output(size_t i, Value value);
  const ValueType& output_type(size_t i) const { return output_types_.at(i); }
  /// Input i read from `value` from now on; returns what it was read from. For kernels holding a
  /// constant packed (execution::Kernel::holds_input), whose reference path needs it plain.
  const Value* replace_input(size_t i, const Value* value) { return std::exchange(inputs_.at(i), value); }

  std::vector<Value> run_subgraph(const ir::Graph& graph, std::vector<Value> inputs) const;

  /// For the runtime: the outputs once the kernel has run.
  std::vector<Value>& results() { return outputs_; }
  /// For the runtime: output i's place decided before the kernel runs, a tensor of the inferred
  /// type over `bytes` bytes of uninitialised memory (an arena's). Kernels that write every
  /// element take it through placed_output; output(i) zero-fills it first, as it would a new one.
  void place_output(size_t i, Value tensor, size_t bytes);
  /// Output i's placed tensor if it holds at least `bytes` (its contents undefined), else null.
  Tensor* placed_output(size_t i, size_t bytes);

 private:
  std::vector<const Value*> inputs_;
  const std::vector<ValueType>& output_types_;
  std::vector<Value> outputs_;
  std::vector<size_t> placed_;  // bytes per placed output, 0 where none; empty where nothing is placed
  SubgraphRunner* subgraphs_;
};

}  // namespace tandem::ops
