// Running a compiled model: stages in order, each on its device's workers, copies before each
// stage as planned, outputs back in host memory at the end.
#include <fmt/format.h>

#include <chrono>

#include "runtime/compiled_state.h"

namespace tandem::runtime {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

// Lets go of the run's values, keeping the vectors for the next run.
void drop_values(Run& run) {
  for (std::vector<Value>& at : run.values)
    for (Value& value : at) value = Value();
  for (Value& input : run.inputs) input = Value();
  run.stage_inputs.clear();
  run.stage_outputs.clear();
}

}  // namespace

bool CompiledState::on_worker_thread() const {
  for (const auto& slot : devices_)
    if (slot->workers->is_worker_thread()) return true;
  return false;
}

void CompiledState::copy(const Transfer& t, Run& run) const {
  const auto start = Clock::now();
  const DeviceSlot* device = nullptr;
  for (const auto& slot : devices_)
    if (slot->location == (t.to != 0 ? t.to : t.from)) device = slot.get();
  std::vector<Value>& at = run.values[t.value];
  at[t.to] = t.to != 0 ? device->device->copy_to_device(at[t.from])
                       : device->device->copy_to_host(at[t.from], value_types_[t.value]);
  // A copy keeps its device busy, whichever worker runs it.
  const auto took = since(start);
  device->busy_us += took.count();
  if (config_.profiling)
    run.profile.push_back(ProfilingInfo{value_names_[t.value], "Transfer", t.to != 0 ? "copy_to_device" : "copy_to_host",
                                        device->name, took, start});
}

void CompiledState::run_stage(size_t s, Run& run) const {
  const Stage& stage = stages_[s];
  const DeviceSlot& slot = *devices_[stage.device];
  for (const Transfer& t : stage.copies) copy(t, run);
  const auto start = Clock::now();
  std::vector<Value>& inputs = run.stage_inputs;
  std::vector<Value>& outputs = run.stage_outputs;
  inputs.clear();
  for (int id : stage.inputs) inputs.push_back(run.values[id][slot.location]);
  try {
    stage.executable->run_into(inputs, outputs, config_.profiling ? &run.profile : nullptr);
  } catch (const Error& e) {
    const std::string& path = model_->path;
    throw Error(e.kind(), path.empty() ? e.what() : path + ": " + e.what());
  }
  // An executable loaded from a blob answers to the blob's layout, which only this check ties to it.
  if (outputs.size() != stage.outputs.size())
    throw Error(ErrorKind::Runtime, fmt::format("{}: stage {} on {} gave {} outputs, its layout has {}", model_->path,
                                                s, slot.name, outputs.size(), stage.outputs.size()));
  for (size_t i = 0; i < stage.outputs.size(); ++i) run.values[stage.outputs[i]][slot.location] = std::move(outputs[i]);
  inputs.clear();
  outputs.clear();
  slot.busy_us += since(start).count();
}

void CompiledState::finish_outputs(Run& run) const {
  for (const Transfer& t : output_copies_) copy(t, run);
  run.outputs.clear();
  for (int id : output_ids_) run.outputs.push_back(run.values[id][0]);
  drop_values(run);
}

namespace {

// Where the run's boundary values start: inputs and compile-time constants in host memory.
void seed(Run& run, size_t values, int locations, const std::vector<int>& input_ids,
          const std::vector<std::pair<int, Value>>& constants) {
  if (run.values.size() != values || (values > 0 && run.values[0].size() != size_t(locations)))
    run.values.assign(values, std::vector<Value>(locations));
  for (size_t i = 0; i < input_ids.size() && i < run.inputs.size(); ++i) run.values[input_ids[i]][0] = run.inputs[i];
  for (const auto& [id, value] : constants) run.values[id][0] = value;
}

}  // namespace

void CompiledState::run_here(Run& run) const {
  if (run.begin && !run.begin()) throw Error(ErrorKind::Runtime, "infer request was cancelled before it ran");
  seed(run, value_types_.size(), locations_, input_ids_, constants_);
  for (size_t s = 0; s < stages_.size(); ++s) run_stage(s, run);
  finish_outputs(run);
}

void CompiledState::start(Run& run) const {
  // No stages when every node folded at compile time: the first device hands out the constants.
  run.next_stage = 0;
  Run* queued = &run;  // the job's captures fit std::function's own storage: no allocation
  devices_[stages_.empty() ? 0 : stages_.front().device]->workers->submit([this, queued] { continue_from(*queued); });
}

// Runs stage `run.next_stage` here (on its device's worker), then queues the next stage to its
// device's workers; a stage on the same device as the one before it runs on without queueing.
void CompiledState::continue_from(Run& run) const {
  std::exception_ptr error;
  size_t s = run.next_stage;
  try {
    if (s == 0) {
      if (run.begin && !run.begin()) throw Error(ErrorKind::Runtime, "infer request was cancelled before it ran");
      seed(run, value_types_.size(), locations_, input_ids_, constants_);
    }
    for (const size_t first = s; s < stages_.size(); ++s) {
      if (s > first && stages_[s].device != stages_[s - 1].device) {
        run.next_stage = s;
        Run* queued = &run;
        devices_[stages_[s].device]->workers->submit([this, queued] { continue_from(*queued); });
        return;
      }
      run_stage(s, run);
    }
    finish_outputs(run);
  } catch (...) {
    error = std::current_exception();
  }
  // Outside the handler, so the waiter the run wakes owns the exception alone.
  if (error) drop_values(run);
  // finish may let the owner go (a waiter wakes and drops the request): this copy keeps the run
  // alive until finish has returned, and nothing here touches it after.
  std::shared_ptr<void> owner = run.owner;
  run.finish(std::move(error));
}

}  // namespace tandem::runtime
