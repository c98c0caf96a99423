// Planning a graph: op resolution, value numbering, static type inference, value lifetimes.
#include "execution/graph_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "ops/onnx_op_versions.h"
#include "ops/registry.h"
#include "execution/graph_executor.h"

namespace tandem::execution {
namespace {

std::string domain_name(const std::string& domain) { return domain.empty() ? "ai.onnx" : domain; }

std::string where_prefix(const std::string& where) { return where.empty() ? "" : where + ": "; }

bool has_subgraphs(const ir::Node& node) {
  for (const auto& [key, attribute] : node.attributes)
    if (std::holds_alternative<ir::GraphPtr>(attribute) || std::holds_alternative<std::vector<ir::GraphPtr>>(attribute))
      return true;
  return false;
}

}  // namespace

bool may_fold(const ir::Node& node) {
  static const std::set<std::string> kNeverFold = {"RandomNormal",     "RandomUniform", "RandomNormalLike",
                                                   "RandomUniformLike", "Multinomial",   "Bernoulli",
                                                   "Dropout"};
  return !kNeverFold.contains(node.op_type) && !has_subgraphs(node);
}

bool reads_only_shape(const ir::Node& node) {
  return (node.domain.empty() || node.domain == "ai.onnx") && (node.op_type == "Shape" || node.op_type == "Size");
}

std::optional<std::vector<Value>> fold_node(const ir::Node& node, const ops::OpDef& def, int opset,
                                            const std::vector<const ValueType*>& input_types,
                                            const std::vector<const Value*>& input_values,
                                            const std::vector<ValueType>& output_types) {
  if (!def.reference || !may_fold(node)) return std::nullopt;
  const bool shape_only = reads_only_shape(node);
  std::vector<Value> placeholders(input_values.size());
  std::vector<const Value*> inputs = input_values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (node.inputs[i].empty() || inputs[i]) continue;
    const ValueType* type = input_types[i];
    if (!shape_only || !type || !type->is_tensor() || !type->shape.is_static()) return std::nullopt;
    // Shape and Size read only the shape: a tensor without memory stands in for the value.
    placeholders[i] = Tensor::wrap(type->element_type, type->shape.to_shape(), nullptr, nullptr);
    inputs[i] = &placeholders[i];
  }
  ops::KernelContext kernel(node, opset, inputs, output_types, nullptr);
  try {
    def.reference(kernel);
  } catch (const Error&) {
    return std::nullopt;
  }
  return std::move(kernel.results());
}

GraphPlan::GraphPlan(const ir::Graph& graph, const ir::OpsetImports& opsets, const OuterScope& outer,
                     const std::string& where, KernelSelector select_kernel, ConstantRelease release)
    : graph_(graph), where_(where), select_kernel_(std::move(select_kernel)), release_(std::move(release)) {
  auto add_slot = [&](const std::string& name, ValueType type) {
    if (slots_.contains(name))
      throw Error(ErrorKind::InvalidModel,
                  fmt::format("{}value '{}' is defined more than once", where_prefix(where_), name));
    slots_[name] = int(slot_names_.size());
    slot_names_.push_back(name);
    slot_types_.push_back(std::move(type));
    return int(slot_names_.size()) - 1;
  };
  for (const Port& input : graph.inputs) input_slots_.push_back(add_slot(input.name, input.type));
  for (const auto& [name, tensor] : graph.initializers) {
    if (slots_.contains(name)) continue;  // an input whose default is the initializer
    int slot = add_slot(name, ValueType::tensor(tensor.element_type(), PartialShape(tensor.shape())));
    constants_.emplace(slot, Value(tensor));
  }
  if (!outer.empty() || std::any_of(graph.nodes.begin(), graph.nodes.end(), has_subgraphs)) release_ = nullptr;
  if (release_) count_constant_readers();
  for (const ir::Node& node : graph.nodes) plan_node(node, opsets, outer);
  for (const Port& output : graph.outputs) output_slots_.push_back(slot_of(output.name, outer, "graph output"));
  plan_lifetimes();
}

int GraphPlan::find_slot(const std::string& name) const {
  auto it = slots_.find(name);
  return it == slots_.end() ? -1 : it->second;
}

const GraphPlan& GraphPlan::subplan(const ir::Graph& graph) const {
  auto it = subplans_.find(&graph);
  if (it == subplans_.end())
    throw Error(ErrorKind::Runtime, fmt::format("subgraph '{}' was not planned", graph.name));
  return *it->second;
}

int GraphPlan::slot_of(const std::string& name, const OuterScope& outer, const std::string& reader) {
  if (int slot = find_slot(name); slot >= 0) return slot;
  auto it = outer.find(name);
  if (it == outer.end()) {
    for (const ir::Node& later : graph_.nodes)
      if (std::find(later.outputs.begin(), later.outputs.end(), name) != later.outputs.end())
        throw Error(ErrorKind::InvalidModel,
                    fmt::format("{}{} reads value '{}' before node '{}' produces it (the graph has a cycle "
                                "or its nodes are not in topological order)",
                                where_prefix(where_), reader, name, later.name));
    throw Error(ErrorKind::InvalidModel,
                fmt::format("{}{} reads value '{}', which no node, graph input or initializer produces",
                            where_prefix(where_), reader, name));
  }
  // A value of an enclosing graph: copied into a slot of ours when the subgraph starts.
  int slot = int(slot_names_.size());
  slots_[name] = slot;
  slot_names_.push_back(name);
  slot_types_.push_back(it->second);
  captures_.emplace_back(name, slot);
  return slot;
}

void GraphPlan::plan_node(const ir::Node& node, const ir::OpsetImports& opsets, const OuterScope& outer) {
  Step step;
  step.node = &node;
  auto opset_it = opsets.find(node.domain == "ai.onnx" ? "" : node.domain);
  step.opset = opset_it == opsets.end() ? 0 : opset_it->second;
  const std::string who = where_prefix(where_) + ir::describe_node(node, step.opset);
  if (opset_it == opsets.end())
    throw Error(ErrorKind::InvalidModel,
                fmt::format("{}: domain '{}' is not imported by the model", who, domain_name(node.domain)));
  step.def = ops::Registry::global().find(node.domain, node.op_type);
  if (!step.def || !step.def->reference)
    throw Error(ErrorKind::Unsupported, fmt::format("{}: op {} of domain '{}' is not supported by tandem",
                                                    who, node.op_type, domain_name(node.domain)));
  if (step.def->since_version(step.opset) == 0)
    throw Error(ErrorKind::InvalidModel, fmt::format("{}: {} does not exist in opset {} of domain '{}'",
                                                     who, node.op_type, step.opset, domain_name(node.domain)));
  // A newer ONNX version of the op than the definition handles would run with old semantics.
  const int onnx_version = ops::onnx_since_version(node.domain, node.op_type, step.opset);
  if (onnx_version > 0 && step.def->since_version(step.opset) != onnx_version)
    throw Error(ErrorKind::Unsupported,
                fmt::format("{}: opset {} brings {}-{}, which tandem does not implement (it has versions {})", who,
                            step.opset, node.op_type, onnx_version, fmt::join(step.def->versions, ", ")));

  std::vector<const ValueType*> input_types;
  std::vector<const Value*> input_values;
  for (const std::string& name : node.inputs)
    step.inputs.push_back(name.empty() ? -1 : slot_of(name, outer, ir::describe_node(node, step.opset)));
  plan_subgraphs(node, opsets, outer);
  // Pointers into slot_types_ are taken only now: resolving captures above may grow it.
  for (int slot : step.inputs) {
    input_types.push_back(slot < 0 ? nullptr : &slot_types_[slot]);
    auto known = constants_.find(slot);
    input_values.push_back(known == constants_.end() ? nullptr : &known->second);
  }

  step.output_types.resize(node.outputs.size());
  if (step.def->infer) {
    ops::InferContext ctx(node, step.opset, input_types, input_values);
    try {
      step.def->infer(ctx);
      step.output_types = ctx.outputs();
    } catch (const Error& e) {
      // What is known at compile time may not be enough to infer (an input of unknown type), and a
      // subgraph may be an If branch that never runs: then types stay open until run time, where
      // inference runs again on real values and reports any error.
      const bool types_known = std::all_of(input_types.begin(), input_types.end(), [](const ValueType* t) {
        return !t || (t->kind != ValueType::Kind::Unknown &&
                      (!t->is_tensor() || t->element_type != ElementType::Undefined));
      });
      if (types_known && outer.empty()) throw Error(e.kind(), where_prefix(where_) + e.what());
    }
  }
  step.static_outputs = std::all_of(step.output_types.begin(), step.output_types.end(), [](const ValueType& t) {
    return t.is_tensor() && t.shape.rank_known() && t.shape.is_static();
  });
  if (fold(step, input_types, input_values)) {
    note_constant_reads(step, false);
    return;
  }
  if (select_kernel_)
    step.kernel = select_kernel_(NodeInfo{node, step.opset, input_types, input_values, step.output_types});
  note_constant_reads(step, true);
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    const std::string& name = node.outputs[i];
    ValueType type = step.output_types[i];
    auto declared = graph_.value_types.find(name);
    if (type.kind == ValueType::Kind::Unknown && declared != graph_.value_types.end()) type = declared->second;
    step.outputs.push_back(name.empty() ? -1 : add_output_slot(name, std::move(type), who));
  }
  steps_.push_back(std::move(step));
}

int GraphPlan::add_output_slot(const std::string& name, ValueType type, const std::string& who) {
  if (slots_.contains(name))
    throw Error(ErrorKind::InvalidModel, fmt::format("{}: output '{}' is already produced elsewhere", who, name));
  slots_[name] = int(slot_names_.size());
  slot_names_.push_back(name);
  slot_types_.push_back(std::move(type));
  return int(slot_names_.size()) - 1;
}

// Constant folding: a node whose inputs are all known at compile time runs once, here, with its
// reference kernel, and its outputs become constants. With static input shapes, shape arithmetic
// (Shape -> Gather -> Concat -> Reshape) folds away, so the nodes after it see static shapes and
// get optimised kernels. Random ops, subgraph ops and nodes whose kernel fails stay for run time.
bool GraphPlan::fold(const Step& step, const std::vector<const ValueType*>& input_types,
                     const std::vector<const Value*>& input_values) {
  const ir::Node& node = *step.node;
  std::optional<std::vector<Value>> results =
      fold_node(node, *step.def, step.opset, input_types, input_values, step.output_types);
  if (!results) return false;
  const std::string who = where_prefix(where_) + ir::describe_node(node, step.opset);
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (node.outputs[i].empty()) continue;
    int slot = add_output_slot(node.outputs[i], type_of((*results)[i], step.output_types[i]), who);
    constants_.emplace(slot, std::move((*results)[i]));
  }
  return true;
}

void GraphPlan::plan_subgraphs(const ir::Node& node, const ir::OpsetImports& opsets, const OuterScope& outer) {
  std::vector<const ir::Graph*> graphs;
  for (const auto& [key, attribute] : node.attributes) {
    if (const auto* g = std::get_if<ir::GraphPtr>(&attribute)) graphs.push_back(g->get());
    if (const auto* gs = std::get_if<std::vector<ir::GraphPtr>>(&attribute))
      for (const auto& g : *gs) graphs.push_back(g.get());
  }
  if (graphs.empty()) return;
  // A subgraph sees every value defined so far here and in the enclosing graphs.
  OuterScope scope = outer;
  for (const auto& [name, slot] : slots_) scope[name] = slot_types_[slot];
  for (const ir::Graph* g : graphs) {
    if (!g) continue;
    std::string where = fmt::format("{}{}'s subgraph '{}'", where_prefix(where_), node.name, g->name);
    subplans_[g] = std::make_unique<GraphPlan>(*g, opsets, scope, where, select_kernel_);
    // Values the subgraph captures from this graph must stay alive until this node runs.
    for (const auto& [name, slot] : subplans_[g]->captures())
      if (slots_.contains(name) || outer.contains(name)) slot_of(name, outer, node.name);
  }
}

void GraphPlan::count_constant_readers() {
  for (const ir::Node& node : graph_.nodes)
    for (const std::string& name : node.inputs)
      if (!name.empty()) ++pending_reads_[name];
  for (const Port& output : graph_.outputs)
    if (int slot = find_slot(output.name); slot >= 0) needed_.insert(slot);
}

// Called once `step` is planned, before it joins steps_ (or instead, when it folded): a constant
// whose readers are all planned and none reads it at run time goes. Where a kernel holds it, its
// slot keeps a tensor without memory, so that the step's input still has the planned type and shape.
void GraphPlan::note_constant_reads(const Step& step, bool runs) {
  if (!release_) return;
  for (size_t i = 0; i < step.inputs.size(); ++i) {
    const int slot = step.inputs[i];
    if (slot < 0) continue;
    auto constant = constants_.find(slot);
    if (constant == constants_.end()) continue;
    const bool held = runs && step.kernel && step.kernel->holds_input(i);
    if (runs && !held) needed_.insert(slot);
    if (held) holders_.emplace(slot, std::pair(steps_.size(), i));
    const std::string& name = slot_names_[slot];
    if (--pending_reads_[name] > 0 || needed_.contains(slot)) continue;
    if (auto holder = holders_.find(slot); holder != holders_.end()) {
      const Tensor& tensor = constant->second.tensor();
      constant->second = Value(Tensor::wrap(tensor.element_type(), tensor.shape(), nullptr, nullptr));
      held_.push_back(HeldConstant{name, holder->second.first, holder->second.second});
    } else {
      constants_.erase(constant);
    }
    release_(name);
  }
}

void GraphPlan::plan_lifetimes() {
  std::vector<int> last_use(slot_names_.size(), -1);
  for (size_t s = 0; s < steps_.size(); ++s) {
    for (int slot : steps_[s].inputs)
      if (slot >= 0) last_use[slot] = int(s);
    // A subgraph reads captured values by name when its node runs.
    for (const auto& [key, attribute] : steps_[s].node->attributes) {
      std::vector<const ir::Graph*> graphs;
      if (const auto* g = std::get_if<ir::GraphPtr>(&attribute)) graphs.push_back(g->get());
      if (const auto* gs = std::get_if<std::vector<ir::GraphPtr>>(&attribute))
        for (const auto& g : *gs) graphs.push_back(g.get());
      for (const ir::Graph* g : graphs)
        if (g)
          for (const auto& [name, ignored] : subplan(*g).captures())
            if (int slot = find_slot(name); slot >= 0) last_use[slot] = int(s);
    }
  }
  std::set<int> kept(output_slots_.begin(), output_slots_.end());
  for (const auto& [slot, value] : constants_) kept.insert(slot);
  for (size_t slot = 0; slot < last_use.size(); ++slot)
    if (last_use[slot] >= 0 && !kept.contains(int(slot))) steps_[last_use[slot]].release.push_back(int(slot));
}

}  // namespace tandem::execution
