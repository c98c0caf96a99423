// The static executor: which values live in the arena, where, and a run that only moves handles.
//
// A value lives in the arena where an optimised kernel writes it (such kernels write every element
// of a place given ahead, see KernelContext::place_output). A view op over such a value (Reshape,
// Flatten, Squeeze, Unsqueeze, Identity) runs not at all: its output is a tensor over the same
// bytes, made once. Everything else (graph inputs, constants, what reference kernels make) is made
// per run as by the general executor. Bytes are shared only between values never alive at once;
// a reference kernel may return a view of its input, so its inputs count as alive as long as its
// outputs, and nothing that reaches a graph output lives in the arena.
#include "execution/static_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <numeric>
#include <string_view>

#include "execution/arena_plan.h"
#include "execution/graph_executor.h"
#include "ops/kernel_context.h"

namespace tandem::execution {
namespace {

bool is_static_tensor(const ValueType& type) {
  return type.is_tensor() && type.shape.rank_known() && type.shape.is_static() &&
         type.element_type != ElementType::String && element_size(type.element_type) > 0;
}

size_t plain_bytes(const ValueType& type) {
  size_t n = element_size(type.element_type);
  for (const Dimension& d : type.shape.dims()) n *= size_t(d.value);
  return n;
}

// Ops whose output is their first input's bytes under another shape.
bool is_view_op(const ir::Node& node) {
  static constexpr std::string_view kViews[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"};
  return (node.domain.empty() || node.domain == "ai.onnx") &&
         std::find(std::begin(kViews), std::end(kViews), node.op_type) != std::end(kViews);
}

// Slots joined where they may share bytes at run time (a view and what it views).
class Groups {
 public:
  explicit Groups(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int find(int s) {
    while (parent_[s] != s) s = parent_[s] = parent_[parent_[s]];
    return s;
  }
  void join(int a, int b) { parent_[find(a)] = find(b); }

 private:
  std::vector<int> parent_;
};

struct AlignedFree {
  void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t(64)); }
};

// Per slot, the arena slot whose block it takes (-1 for none): a kernel's output written over an
// input (Kernel::in_place_input) that nothing reads after that step, through any slot sharing its
// bytes. A chain of such outputs takes the first one's block.
std::vector<int> in_place_owners(const GraphPlan& plan, const std::vector<bool>& in_arena, Groups& groups,
                                 const std::vector<std::pair<size_t, size_t>>& group_span) {
  std::vector<int> owner(plan.slot_count(), -1);
  const std::vector<Step>& steps = plan.steps();
  for (size_t k = 0; k < steps.size(); ++k) {
    const Step& step = steps[k];
    if (!step.kernel) continue;
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int j = step.kernel->in_place_input(i), out = step.outputs[i];
      if (j < 0 || size_t(j) >= step.inputs.size() || out < 0) continue;
      const int in = step.inputs[j];
      if (in < 0 || in == out || !in_arena[in] || !in_arena[out]) continue;
      // Nothing may read the input's bytes after this step, nor through another of its inputs.
      const int group = groups.find(in);
      if (group_span[group].second != k) continue;
      bool read_twice = false;
      for (size_t m = 0; m < step.inputs.size(); ++m)
        read_twice |= m != size_t(j) && step.inputs[m] >= 0 && groups.find(step.inputs[m]) == group;
      if (!read_twice) owner[out] = owner[in] >= 0 ? owner[in] : in;
    }
  }
  return owner;
}

}  // namespace

// A buffer for a graph output. The caller may keep an output past the next run; a buffer is
// written again only once the last handle but this one has gone.
struct StaticExecutor::OutputBuffer {
  std::shared_ptr<std::byte[]> bytes;
  Value tensor;  // over `bytes`, sharing its ownership
  Value view;    // the same bytes as the graph output that views them, where one does
  bool is_free() const { return bytes.use_count() == 2 + (view.is_tensor() ? 1 : 0); }
};

struct StaticExecutor::State {
  std::unique_ptr<std::byte[], AlignedFree> arena;
  std::vector<Value> slots;                  // kept from run to run: arena values stay in place
  std::vector<ops::KernelContext> contexts;  // per step, reading from `slots`
  // Two per graph output: the request keeps the last run's outputs while the next run writes.
  std::vector<std::array<OutputBuffer, 2>> outputs;
};

std::unique_ptr<StaticExecutor> StaticExecutor::create(const GraphPlan& plan) {
  if (plan.runs_subgraphs()) return nullptr;
  for (const Step& step : plan.steps()) {
    if (!step.static_outputs) return nullptr;
    for (int slot : step.inputs)
      if (slot >= 0 && !is_static_tensor(plan.slot_type(slot))) return nullptr;
    for (int slot : step.outputs)
      if (slot >= 0 && !is_static_tensor(plan.slot_type(slot))) return nullptr;
  }
  return std::unique_ptr<StaticExecutor>(new StaticExecutor(plan));
}

StaticExecutor::StaticExecutor(const GraphPlan& plan) : plan_(plan), slots_(plan.slot_count()) {
  const std::vector<Step>& steps = plan.steps();
  is_view_step_.assign(steps.size(), false);
  std::vector<bool> may_view(steps.size(), false);
  Groups groups(plan.slot_count());
  std::vector<size_t> first(plan.slot_count(), steps.size()), last(plan.slot_count(), 0);
  for (size_t k = 0; k < steps.size(); ++k) {
    const Step& step = steps[k];
    for (int slot : step.inputs)
      if (slot >= 0) last[slot] = std::max(last[slot], k);
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int slot = step.outputs[i];
      if (slot < 0) continue;
      first[slot] = k;
      last[slot] = std::max(last[slot], k);
      if (step.kernel) {
        slots_[slot] = {Place::Arena, 0, std::max(plain_bytes(plan.slot_type(slot)), step.kernel->output_bytes(i))};
        continue;
      }
      // A reference kernel's output may be a view of any of its inputs.
      for (int input : step.inputs)
        if (input >= 0) groups.join(slot, input);
      const int source = step.inputs.empty() ? -1 : step.inputs[0];
      if (is_view_op(*step.node) && step.outputs.size() == 1 && source >= 0 && slots_[source].place != Place::Run &&
          plain_bytes(plan.slot_type(source)) == plain_bytes(plan.slot_type(slot)) &&
          plan.slot_type(source).element_type == plan.slot_type(slot).element_type &&
          slots_[source].bytes == plain_bytes(plan.slot_type(source))) {
        slots_[slot] = {Place::View, 0, 0};
        is_view_step_[k] = may_view[k] = true;
      }
    }
  }
  // Whatever shares bytes with a graph output stays out of the arena: the caller keeps outputs.
  std::vector<bool> is_output(plan.slot_count(), false), reaches_output(plan.slot_count(), false);
  for (int slot : plan.output_slots()) is_output[slot] = reaches_output[groups.find(slot)] = true;
  for (size_t k = 0; k < steps.size(); ++k)
    for (int slot : steps[k].outputs)
      if (slot >= 0 && reaches_output[groups.find(slot)]) {
        slots_[slot].place = Place::Run;
        is_view_step_[k] = false;
      }
  // Graph outputs that kernels write go to buffers of their own (of the bytes planned above),
  // reused from run to run.
  for (int slot : plan.output_slots())
    if (first[slot] < steps.size() && steps[first[slot]].kernel) slots_[slot].place = Place::Output;
  // A view that is a graph output (a classifier's Flatten) views its source in an output buffer.
  for (size_t k = 0; k < steps.size(); ++k) {
    const int source = may_view[k] ? steps[k].inputs[0] : -1, view = may_view[k] ? steps[k].outputs[0] : -1;
    if (source < 0 || slots_[view].place != Place::Run || slots_[source].view >= 0 ||
        !steps[first[source]].kernel || !is_output[view])
      continue;
    slots_[source] = {Place::Output, 0, plain_bytes(plan.slot_type(source)), view};
    slots_[view] = {Place::OutputView, 0, 0};
    is_view_step_[k] = true;
  }
  // A view whose source left the arena runs after all.
  for (size_t k = 0; k < steps.size(); ++k)
    if (is_view_step_[k] && slots_[steps[k].inputs[0]].place == Place::Run) {
      is_view_step_[k] = false;
      slots_[steps[k].outputs[0]].place = Place::Run;
    }

  std::vector<std::pair<size_t, size_t>> group_span(plan.slot_count(), {steps.size(), 0});
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (first[s] == steps.size()) continue;  // not written by a step
    auto& span = group_span[groups.find(int(s))];
    span = {std::min(span.first, first[s]), std::max(span.second, last[s])};
  }
  std::vector<bool> in_arena(plan.slot_count());
  for (size_t s = 0; s < slots_.size(); ++s) in_arena[s] = slots_[s].place == Place::Arena;
  const std::vector<int> owner = in_place_owners(plan, in_arena, groups, group_span);

  // One block per group of arena values, alive from its first write to its last read; an output
  // written in place takes its input's block, which then lives as long as both.
  std::vector<int> block_of(plan.slot_count(), -1);
  std::vector<Lifetime> blocks;
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].place != Place::Arena || owner[s] >= 0) continue;
    const auto& span = group_span[groups.find(int(s))];
    block_of[s] = int(blocks.size());
    blocks.push_back({slots_[s].bytes, span.first, span.second});
  }
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].place != Place::Arena || owner[s] < 0) continue;
    Lifetime& block = blocks[block_of[owner[s]]];
    const auto& span = group_span[groups.find(int(s))];
    block = {std::max(block.bytes, slots_[s].bytes), std::min(block.first, span.first), std::max(block.last, span.second)};
  }
  const ArenaPlacement placement = place_blocks(blocks);
  arena_bytes_ = placement.bytes;
  for (size_t s = 0; s < slots_.size(); ++s)
    if (slots_[s].place == Place::Arena) {
      slots_[s].offset = placement.offsets[block_of[owner[s] >= 0 ? owner[s] : int(s)]];
      ++arena_values_;
    }
  // A view takes its source's bytes.
  for (size_t k = 0; k < steps.size(); ++k)
    if (is_view_step_[k] && slots_[steps[k].outputs[0]].place == Place::View) {
      const SlotPlan& source = slots_[steps[k].inputs[0]];
      slots_[steps[k].outputs[0]] = {Place::View, source.offset, source.bytes};
      ++arena_values_;
    }
}

StaticExecutor::~StaticExecutor() = default;

std::unique_ptr<StaticExecutor::State> StaticExecutor::make_state() const {
  auto state = std::make_unique<State>();
  state->arena.reset(static_cast<std::byte*>(::operator new[](std::max<size_t>(arena_bytes_, 64), std::align_val_t(64))));
  state->slots.resize(plan_.slot_count());
  for (const auto& [slot, value] : plan_.constants()) state->slots[slot] = value;
  for (size_t s = 0; s < slots_.size(); ++s)
    if (slots_[s].place == Place::Arena || slots_[s].place == Place::View) state->slots[s] = arena_tensor(*state, int(s));
  state->outputs.resize(plan_.slot_count());
  state->contexts.reserve(plan_.steps().size());
  for (const Step& step : plan_.steps()) {
    std::vector<const Value*> inputs(step.inputs.size(), nullptr);
    for (size_t i = 0; i < step.inputs.size(); ++i)
      if (step.inputs[i] >= 0) inputs[i] = &state->slots[step.inputs[i]];
    state->contexts.emplace_back(*step.node, step.opset, std::move(inputs), step.output_types, nullptr);
  }
  return state;
}

Value StaticExecutor::arena_tensor(const State& state, int slot) const {
  const ValueType& type = plan_.slot_type(slot);
  // The arena outlives every handle: only the state's slots and step contexts hold them.
  return Tensor::wrap(type.element_type, type.shape.to_shape(), state.arena.get() + slots_[slot].offset, nullptr);
}

const StaticExecutor::OutputBuffer& StaticExecutor::output_buffer(State& state, int slot) const {
  std::array<OutputBuffer, 2>& buffers = state.outputs[slot];
  for (OutputBuffer& buffer : buffers)
    if (buffer.bytes && buffer.is_free()) return buffer;
  // None free (the first runs, or the caller kept earlier outputs): a new buffer replaces the
  // older one, and is the newer at index 1.
  std::swap(buffers[0], buffers[1]);
  OutputBuffer& fresh = buffers[1];
  const auto wrap = [&](int s) {
    const ValueType& type = plan_.slot_type(s);
    return Value(Tensor::wrap(type.element_type, type.shape.to_shape(), fresh.bytes.get(), fresh.bytes));
  };
  fresh.bytes.reset(static_cast<std::byte*>(::operator new[](slots_[slot].bytes, std::align_val_t(64))), AlignedFree());
  fresh.tensor = wrap(slot);
  fresh.view = slots_[slot].view >= 0 ? wrap(slots_[slot].view) : Value();
  return fresh;
}

StaticExecutor::State& StaticExecutor::thread_state() const {
  const std::thread::id self = std::this_thread::get_id();
  std::lock_guard lock(mutex_);
  for (auto& [thread, state] : states_)
    if (thread == self) return *state;
  states_.emplace_back(self, make_state());
  return *states_.back().second;
}

void StaticExecutor::drop_thread_state() const {
  const std::thread::id self = std::this_thread::get_id();
  std::lock_guard lock(mutex_);
  std::erase_if(states_, [&](const auto& entry) { return entry.first == self; });
}

bool StaticExecutor::run(std::vector<Value>& inputs, std::vector<Value>& outputs,
                         std::vector<ProfilingInfo>* profile) const {
  const std::vector<int>& input_slots = plan_.input_slots();
  if (inputs.size() != input_slots.size()) return false;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!is_planned(inputs[i], plan_.slot_type(input_slots[i]))) return false;
  State& state = thread_state();
  std::vector<Value>& slots = state.slots;
  for (size_t i = 0; i < inputs.size(); ++i) slots[input_slots[i]] = std::move(inputs[i]);
  const std::vector<Step>& steps = plan_.steps();
  for (size_t k = 0; k < steps.size(); ++k) {
    const Step& step = steps[k];
    const auto start = std::chrono::steady_clock::now();
    if (is_view_step_[k]) {  // its output is made once, or with its source's buffer
      if (profile) {
        profile->push_back(profile_record(step, start));
        profile->back().exec_type = "view (no copy)";
      }
      continue;
    }
    ops::KernelContext& ctx = state.contexts[k];
    std::vector<Value>& results = ctx.results();
    try {
      for (size_t i = 0; i < step.outputs.size(); ++i) {
        const int slot = step.outputs[i];
        if (slot >= 0 && slots_[slot].place == Place::Output) {
          const OutputBuffer& buffer = output_buffer(state, slot);
          ctx.place_output(i, buffer.tensor, slots_[slot].bytes);
          if (slots_[slot].view >= 0) slots[slots_[slot].view] = buffer.view;
        }
        if (slot < 0 || slots_[slot].place != Place::Arena) continue;
        // The slot holds its arena tensor unless the kernel last gave another (its fallback).
        Value& placed = slots[slot];
        if (!placed.is_tensor() || placed.tensor().data() != state.arena.get() + slots_[slot].offset ||
            !is_planned(placed, plan_.slot_type(slot)))
          placed = arena_tensor(state, slot);
        ctx.place_output(i, std::move(placed), slots_[slot].bytes);
        placed = Value();
      }
      if (step.kernel)
        step.kernel->run(ctx);
      else
        step.def->reference(ctx);
    } catch (...) {
      // Arena tensors may be left in the context: the next run on this thread starts afresh.
      drop_thread_state();
      rethrow_naming(step);
    }
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int slot = step.outputs[i];
      if (slot >= 0) slots[slot] = std::move(results[i]);
      results[i] = Value();
      // Where the kernel wrote elsewhere than its place (never, for the static shapes it planned
      // for), the graph output that views it views what it wrote.
      if (slot >= 0 && slots_[slot].view >= 0 &&
          slots[slot].tensor().data() != slots[slots_[slot].view].tensor().data())
        slots[slots_[slot].view] =
            slots[slot].tensor().reshaped(plan_.slot_type(slots_[slot].view).shape.to_shape());
    }
    if (profile) profile->push_back(profile_record(step, start));
    // Arena values stay in their slots for the next run; the rest go once read for the last time
    // (an output buffer held by nobody is free for the next run).
    for (int slot : step.release)
      if (slots_[slot].place != Place::Arena && slots_[slot].place != Place::View && !plan_.constants().contains(slot))
        slots[slot] = Value();
  }
  outputs.clear();
  const std::vector<int>& output_slots = plan_.output_slots();
  for (size_t o = 0; o < output_slots.size(); ++o) {
    const int slot = output_slots[o];
    // Constants and outputs named twice stay for the next reader; the rest move out.
    const bool kept = plan_.constants().contains(slot) ||
                      std::find(output_slots.begin() + o + 1, output_slots.end(), slot) != output_slots.end();
    outputs.push_back(kept ? slots[slot] : std::move(slots[slot]));
  }
  for (int slot : input_slots) slots[slot] = Value();
  return true;
}

}  // namespace tandem::execution
