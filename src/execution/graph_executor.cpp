// The host executor: infer the node's output shapes from actual inputs, run its kernel, free dead values.
#include "execution/graph_executor.h"

#include <fmt/format.h>

#include <chrono>

namespace tandem::execution {
namespace {

// Lets kernels of control-flow ops run their subgraphs inside the current frame.
class FrameRunner : public ops::SubgraphRunner {
 public:
  explicit FrameRunner(const Frame& frame) : frame_(frame) {}
  std::vector<Value> run(const ir::Graph& graph, std::vector<Value> inputs) override {
    return execute(frame_.plan.subplan(graph), std::move(inputs), &frame_);
  }

 private:
  const Frame& frame_;
};

bool has_prefix(const std::string& message, const std::string& prefix) {
  return message.compare(0, prefix.size(), prefix) == 0;
}

void run_step(const Step& step, Frame& frame, FrameRunner& runner) {
  const ir::Node& node = *step.node;
  std::vector<const Value*> values(step.inputs.size(), nullptr);
  bool as_planned = step.static_outputs;
  for (size_t i = 0; i < step.inputs.size(); ++i) {
    int slot = step.inputs[i];
    if (slot < 0) continue;
    values[i] = &frame.slots[slot];
    as_planned = as_planned && is_planned(*values[i], frame.plan.slot_type(slot));
  }
  // Inputs of the types the plan inferred from give the outputs it inferred; anything else (a
  // dynamic shape, a declared shape the inputs contradict) is inferred again from the real inputs.
  std::vector<ValueType> inferred;
  if (!as_planned && step.def->infer) {
    std::vector<ValueType> types(step.inputs.size());
    std::vector<const ValueType*> type_ptrs(step.inputs.size(), nullptr);
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      if (!values[i]) continue;
      types[i] = type_of(*values[i], frame.plan.slot_type(step.inputs[i]));
      type_ptrs[i] = &types[i];
    }
    ops::InferContext infer(node, step.opset, type_ptrs, values);
    step.def->infer(infer);
    inferred = infer.outputs();
  }
  ops::KernelContext kernel(node, step.opset, values,
                            !as_planned && step.def->infer ? inferred : step.output_types, &runner);
  if (step.kernel)
    step.kernel->run(kernel);
  else
    step.def->reference(kernel);
  std::vector<Value>& results = kernel.results();
  for (size_t i = 0; i < step.outputs.size(); ++i)
    if (step.outputs[i] >= 0) frame.slots[step.outputs[i]] = std::move(results[i]);
}

}  // namespace

bool is_planned(const Value& value, const ValueType& planned) {
  if (!value.is_tensor() || !planned.is_tensor() || !planned.shape.rank_known()) return false;
  const Tensor& tensor = value.tensor();
  const std::vector<Dimension>& dims = planned.shape.dims();
  if (tensor.element_type() != planned.element_type || tensor.rank() != dims.size()) return false;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i].value != tensor.shape()[i]) return false;
  return true;
}

void rethrow_naming(const Step& step) {
  const auto where = [&] { return ir::describe_node(*step.node, step.opset); };
  try {
    throw;
  } catch (const Error& e) {
    if (has_prefix(e.what(), "node '")) throw;
    throw Error(e.kind(), where() + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::Runtime, where() + ": out of memory");
  } catch (const std::exception& e) {
    throw Error(ErrorKind::Runtime, where() + ": " + e.what());
  }
}

ProfilingInfo profile_record(const Step& step, std::chrono::steady_clock::time_point start) {
  return ProfilingInfo{step.node->name, step.node->op_type,
                       std::string(step.kernel ? step.kernel->name() : "reference"), "CPU",
                       std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start),
                       start};
}

const Value* Frame::lookup(const std::string& name) const {
  for (const Frame* f = this; f; f = f->parent)
    if (int slot = f->plan.find_slot(name); slot >= 0) return &f->slots[slot];
  return nullptr;
}

ValueType type_of(const Value& value, const ValueType& declared) {
  switch (value.kind()) {
    case ValueKind::Tensor:
      return ValueType::tensor(value.tensor().element_type(), PartialShape(value.tensor().shape()));
    case ValueKind::Sequence: {
      ValueType element = declared.kind == ValueType::Kind::Sequence && declared.element ? *declared.element
                          : value.is_map_sequence()
                              ? ValueType::map_of(value.sequence_key_type(), value.sequence_element_type())
                              : ValueType::tensor(value.sequence_element_type(), PartialShape());
      if (element.element_type == ElementType::Undefined) element.element_type = value.sequence_element_type();
      return ValueType::sequence_of(element);
    }
    case ValueKind::Map:
      return ValueType::map_of(value.map_keys().element_type(), value.map_values().element_type());
    case ValueKind::None:
      return declared.kind == ValueType::Kind::Optional ? declared : ValueType::optional_of(declared);
  }
  return declared;
}

std::vector<Value> execute(const GraphPlan& plan, std::vector<Value> inputs, const Frame* parent,
                           std::vector<ProfilingInfo>* profile) {
  const auto& input_slots = plan.input_slots();
  if (inputs.size() > input_slots.size())
    throw Error(ErrorKind::InvalidArgument, fmt::format("graph '{}' takes {} inputs, got {}",
                                                        plan.graph().name, input_slots.size(), inputs.size()));
  Frame frame{plan, std::vector<Value>(plan.slot_count()), parent};
  for (size_t i = 0; i < inputs.size(); ++i) frame.slots[input_slots[i]] = std::move(inputs[i]);
  for (const auto& [slot, value] : plan.constants()) frame.slots[slot] = value;
  for (const auto& [name, slot] : plan.captures()) {
    const Value* v = parent ? parent->lookup(name) : nullptr;
    if (!v) throw Error(ErrorKind::Runtime, fmt::format("subgraph '{}' reads '{}', which is not available",
                                                        plan.graph().name, name));
    frame.slots[slot] = *v;
  }
  FrameRunner runner(frame);
  for (const Step& step : plan.steps()) {
    const auto start = std::chrono::steady_clock::now();
    try {
      run_step(step, frame, runner);
    } catch (...) {
      rethrow_naming(step);
    }
    if (profile) profile->push_back(profile_record(step, start));
    for (int slot : step.release) frame.slots[slot] = Value();
  }
  std::vector<Value> outputs;
  for (int slot : plan.output_slots()) outputs.push_back(frame.slots[slot]);
  return outputs;
}

}  // namespace tandem::execution
