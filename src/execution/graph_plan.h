// A graph compiled for execution: ops resolved, values numbered, types inferred, lifetimes known.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "execution/kernel.h"
#include "ir/graph.h"
#include "ops/op.h"
#include "tandem/value.h"

namespace tandem::execution {

/// Names visible to a graph from its enclosing graphs, with their types (for subgraphs).
using OuterScope = std::unordered_map<std::string, ValueType>;

struct Step {
  const ir::Node* node = nullptr;
  const ops::OpDef* def = nullptr;
  int opset = 0;
  std::vector<int> inputs;   // slot per input, -1 where omitted
  std::vector<int> outputs;  // slot per output, -1 where omitted
  std::vector<int> release;  // slots read for the last time here, freed after the step
  std::vector<ValueType> output_types;  // as inferred at compile time (may be partial)
  bool static_outputs = false;  // every output a tensor of static shape: runs need not infer again
  std::shared_ptr<const Kernel> kernel;  // an optimised kernel, else the op's reference one
};

/// Whether a node whose inputs are all known may run once at compile time instead of per run: not
/// a random op, Dropout or a node with subgraphs.
bool may_fold(const ir::Node& node);

/// Whether the node reads only its input's shape (Shape, Size): it folds once that is static.
bool reads_only_shape(const ir::Node& node);

/// The outputs of `node` computed now by `def`'s reference kernel, as constant folding stores them:
/// every input not omitted has its value in `input_values`, or, for a node that reads only its
/// input's shape, a static type in `input_types`. Nullopt where the node may not fold, an input is
/// unknown, or the kernel refuses (run time reports it, if the node ever runs).
std::optional<std::vector<Value>> fold_node(const ir::Node& node, const ops::OpDef& def, int opset,
                                            const std::vector<const ValueType*>& input_types,
                                            const std::vector<const Value*>& input_values,
                                            const std::vector<ValueType>& output_types);

/// Called with the name of a constant the plan no longer needs at run time (every reader folded
/// or holds it packed, Kernel::holds_input), so that whoever owns the graph can let it go too.
using ConstantRelease = std::function<void(const std::string& name)>;

/// A constant let go of whose value a kernel holds: steps()[step] holds its input `input`.
struct HeldConstant {
  std::string name;
  size_t step = 0;
  size_t input = 0;
};

/// Immutable once built; shared by every request. Subgraphs are planned with their parent.
class GraphPlan {
 public:
  /// Resolves every node's op, checks that every value read is produced before it is read, and
  /// infers types. Throws InvalidModel or Unsupported naming the node. `where` prefixes messages.
  /// `select_kernel` is the device's choice of optimised kernels; without one, every node runs
  /// its reference kernel (an analysis plan, or a device that has none). With `release`, constants
  /// no step reads at run time are let go of as soon as their last reader is planned, and
  /// `release` is told (a graph without subgraphs only: those read constants by name).
  GraphPlan(const ir::Graph& graph, const ir::OpsetImports& opsets, const OuterScope& outer,
            const std::string& where, KernelSelector select_kernel = {}, ConstantRelease release = {});

  const ir::Graph& graph() const { return graph_; }
  const std::vector<Step>& steps() const { return steps_; }
  size_t slot_count() const { return slot_names_.size(); }
  const std::vector<int>& input_slots() const { return input_slots_; }
  const std::vector<int>& output_slots() const { return output_slots_; }
  /// Initializers and folded values by slot (a handle copy per run, never a byte copy).
  const std::map<int, Value>& constants() const { return constants_; }
  /// Constants let go of whose values kernels hold: their slots keep a tensor without memory.
  const std::vector<HeldConstant>& held_constants() const { return held_; }
  /// Names read from enclosing graphs, with the slot they are copied into.
  const std::vector<std::pair<std::string, int>>& captures() const { return captures_; }
  const ValueType& slot_type(int slot) const { return slot_types_[slot]; }
  int find_slot(const std::string& name) const;
  const GraphPlan& subplan(const ir::Graph& graph) const;
  /// Whether a node runs a subgraph, or this graph reads values of an enclosing one.
  bool runs_subgraphs() const { return !subplans_.empty() || !captures_.empty(); }

 private:
  int slot_of(const std::string& name, const OuterScope& outer, const std::string& reader);
  void plan_node(const ir::Node& node, const ir::OpsetImports& opsets, const OuterScope& outer);
  int add_output_slot(const std::string& name, ValueType type, const std::string& who);
  bool fold(const Step& step, const std::vector<const ValueType*>& input_types,
            const std::vector<const Value*>& input_values);
  void plan_subgraphs(const ir::Node& node, const ir::OpsetImports& opsets, const OuterScope& outer);
  void plan_lifetimes();
  void count_constant_readers();
  void note_constant_reads(const Step& step, bool runs);

  const ir::Graph& graph_;
  std::string where_;
  KernelSelector select_kernel_;
  std::vector<Step> steps_;
  std::vector<std::string> slot_names_;
  std::vector<ValueType> slot_types_;
  std::unordered_map<std::string, int> slots_;
  std::vector<int> input_slots_, output_slots_;
  std::map<int, Value> constants_;
  std::vector<std::pair<std::string, int>> captures_;
  std::map<const ir::Graph*, std::unique_ptr<GraphPlan>> subplans_;
  // Letting constants go: node inputs by name not yet planned, slots a running step or a graph
  // output reads, and where each held slot's kernels are.
  ConstantRelease release_;
  std::unordered_map<std::string, int> pending_reads_;
  std::set<int> needed_;
  std::map<int, std::pair<size_t, size_t>> holders_;
  std::vector<HeldConstant> held_;
};

}  // namespace tandem::execution
