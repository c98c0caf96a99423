// Running a compiled model: stages in order, each on its device's workers, copies before each
// stage as planned, outputs back in host memory at the end (or left in a device's memory, where
// the request asked for that). Inputs bound in a device's memory start there.
#include <fmt/format.h>

#include <chrono>

#include "runtime/compiled_state.h"
#include "runtime/device_tensors.h"

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

int CompiledState::location_of(const devices::Device* device) const {
  for (const auto& slot : devices_)
    if (slot->device == device && slot->location != 0) return slot->location;
  return -1;
}

const CompiledState::DeviceSlot* CompiledState::slot_of(const devices::Device& device) const {
  for (const auto& slot : devices_)
    if (slot->device == &device) return slot.get();
  return nullptr;
}

void CompiledState::copy(const Transfer& t, Run& run) const {
  std::vector<Value>& at = run.values[t.value];
  if (t.to != 0 && !at[t.to].is_none()) return;  // an input bound in that device's memory
  const DeviceSlot* device = nullptr;
  for (const auto& slot : devices_)
    if (slot->location == (t.to != 0 ? t.to : t.from)) device = slot.get();
  const auto start = Clock::now();
  at[t.to] = t.to != 0 ? device->device->copy_to_device(at[t.from])
                       : device->device->copy_to_host(at[t.from], value_types_[t.value]);
  record_copy(*device->device, t.to != 0, t.value, run, start);
}

void CompiledState::record_copy(const devices::Device& device, bool to_device, int value, Run& run,
                                std::chrono::steady_clock::time_point start) const {
  // A copy keeps its device busy, whichever worker runs it.
  const auto took = since(start);
  const DeviceSlot* slot = slot_of(device);
  if (slot) slot->busy_us += took.count();
  if (config_.profiling)
    run.profile.push_back(ProfilingInfo{value_names_[value], "Transfer", to_device ? "copy_to_device" : "copy_to_host",
                                        slot ? slot->name : device.info().name, took, start});
}

bool CompiledState::read_on_host(int value, int except_location) const {
  for (int id : output_ids_)
    if (id == value) return true;
  for (const Stage& stage : stages_) {
    if (devices_[stage.device]->location == 0)
      for (int id : stage.inputs)
        if (id == value) return true;
    for (const Transfer& t : stage.copies)
      if (t.value == value && t.from == 0 && t.to != except_location) return true;
  }
  return false;
}

void CompiledState::seed(Run& run) const {
  if (run.values.size() != value_types_.size() || (!run.values.empty() && run.values[0].size() != size_t(locations_)))
    run.values.assign(value_types_.size(), std::vector<Value>(locations_));
  for (size_t i = 0; i < input_ids_.size() && i < run.inputs.size(); ++i) {
    const int id = input_ids_[i];
    const Value& input = run.inputs[i];
    const devices::Device* device =
        input.is_tensor() ? memory_device(input.tensor(), "infer") : nullptr;
    if (!device) {
      run.values[id][0] = input;
      continue;
    }
    // In a device's memory: where this model has stages on that device, they read it as it is;
    // host memory gets a copy only where something there reads it.
    const Tensor unmarked = input.tensor().in_memory_of("CPU");
    const int location = location_of(device);
    if (location > 0) run.values[id][location] = Value(unmarked);
    if (location <= 0 || read_on_host(id, location)) {
      const auto start = Clock::now();
      run.values[id][0] = device->copy_to_host(Value(unmarked), value_types_[id]);
      record_copy(*device, false, id, run, start);
    }
  }
  for (const auto& [id, value] : constants_) run.values[id][0] = value;
}

Value CompiledState::delivered(size_t output, Run& run) const {
  const int id = output_ids_[output];
  const devices::Device* device = output < run.output_devices.size() ? run.output_devices[output] : nullptr;
  if (!device) return run.values[id][0];
  const DeviceSlot* slot = slot_of(*device);
  const std::string name = slot ? slot->name : device->info().name;  // a short name: no allocation
  const int location = location_of(device);
  if (location > 0 && run.values[id][location].is_tensor())
    return Value(marked(run.values[id][location].tensor(), name));
  const auto start = Clock::now();
  const Value copied = device->copy_to_device(run.values[id][0]);
  record_copy(*device, true, id, run, start);
  return Value(marked(copied.tensor(), name));
}

bool CompiledState::wanted_on_host(const Transfer& t, const Run& run) const {
  for (size_t i = 0; i < output_ids_.size(); ++i) {
    if (output_ids_[i] != t.value) continue;
    const devices::Device* device = i < run.output_devices.size() ? run.output_devices[i] : nullptr;
    if (!device || location_of(device) != t.from) return true;
  }
  return false;
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
  for (const Transfer& t : output_copies_)
    if (run.output_devices.empty() || wanted_on_host(t, run)) copy(t, run);
  run.outputs.clear();
  for (size_t i = 0; i < output_ids_.size(); ++i) run.outputs.push_back(delivered(i, run));
  drop_values(run);
}

void CompiledState::run_here(Run& run) const {
  if (run.begin && !run.begin()) throw Error(ErrorKind::Runtime, "infer request was cancelled before it ran");
  seed(run);
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
      seed(run);
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
