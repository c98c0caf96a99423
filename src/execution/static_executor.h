// Runs a plan whose every value has a static shape without allocating: the values its kernels
// write live at planned offsets in an arena, and each step's context is made once.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "execution/graph_plan.h"
#include "tandem/infer_request.h"
#include "tandem/value.h"

namespace tandem::execution {

/// The arena and the step contexts live per thread, not per request: a request needs them only
/// while it runs, which is on one worker, so a model with eight requests over two streams holds
/// two arenas. Graph outputs never live in the arena: the caller keeps them after the run.
class StaticExecutor {
 public:
  /// Null where the plan does not qualify: a subgraph, or a value that is no tensor of static
  /// shape. Call once the kernels are final (after layout assignment: output_bytes depends on it).
  static std::unique_ptr<StaticExecutor> create(const GraphPlan& plan);
  ~StaticExecutor();

  /// Runs on the calling thread's arena, moving from `inputs` and setting `outputs`. False, having
  /// run nothing, when the inputs are not exactly of the planned types: the caller then runs the
  /// plan with the general executor.
  bool run(std::vector<Value>& inputs, std::vector<Value>& outputs, std::vector<ProfilingInfo>* profile) const;

  /// The arena's size: the bytes of the values alive at once, at most.
  size_t arena_bytes() const { return arena_bytes_; }
  /// How many values live in the arena, and how many are views of another's bytes.
  size_t arena_values() const { return arena_values_; }

 private:
  // Where a slot's value lives: made by its step (Run), in the arena, a view of another's bytes in
  // the arena, in one of the thread's output buffers (a graph output a kernel writes, or what a
  // graph output views), or a view of an output buffer.
  enum class Place { Run, Arena, View, Output, OutputView };
  struct SlotPlan {
    Place place = Place::Run;
    size_t offset = 0, bytes = 0;  // Arena and View: in the arena; the bytes placed
    int view = -1;                 // Output: the OutputView slot over the same buffer, if any
  };
  struct State;
  struct OutputBuffer;

  explicit StaticExecutor(const GraphPlan& plan);
  std::unique_ptr<State> make_state() const;
  State& thread_state() const;
  void drop_thread_state() const;
  Value arena_tensor(const State& state, int slot) const;
  const OutputBuffer& output_buffer(State& state, int slot) const;

  const GraphPlan& plan_;
  std::vector<SlotPlan> slots_;
  std::vector<bool> is_view_step_;  // steps whose output is a view of an arena value: nothing to run
  size_t arena_bytes_ = 0, arena_values_ = 0;
  mutable std::mutex mutex_;
  mutable std::vector<std::pair<std::thread::id, std::unique_ptr<State>>> states_;
};

}  // namespace tandem::execution
