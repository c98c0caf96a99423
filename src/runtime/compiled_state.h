// What a compiled model holds: the IR it keeps alive, its stages (one executable per run of nodes
// on one device), the workers of each device, and the placement report.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "devices/device.h"
#include "ir/graph.h"
#include "runtime/compile_config.h"
#include "runtime/stream_executor.h"
#include "tandem/placement.h"

namespace tandem::runtime {

/// One inference in flight: its inputs, the values between stages, and what to do at the end. A
/// request keeps one and reuses it run after run, vectors and all, so that a steady-state run
/// allocates nothing here.
struct Run {
  std::vector<Value> inputs;  // the model's inputs: host memory, or tensors marked as a device's
  std::vector<Value> outputs;  // the model's outputs, set when the run succeeded
  /// Per output, the device whose memory it is delivered in; null (or none at all): host memory.
  std::vector<const devices::Device*> output_devices;
  std::vector<ProfilingInfo> profile;
  /// Called before the first stage; false cancels the run.
  std::function<bool()> begin;
  /// Called once when the run ends, with its error if it failed, on the last stage's worker.
  std::function<void(std::exception_ptr)> finish;
  /// Keeps whoever started the run (the request) alive until finish has returned.
  std::shared_ptr<void> owner;
  /// Boundary values by value id, then by memory location (0 is host memory).
  std::vector<std::vector<Value>> values;
  /// One stage's inputs and outputs, while it runs.
  std::vector<Value> stage_inputs, stage_outputs;
  size_t next_stage = 0;  // the stage a worker continues from
};

class CompiledState {
 public:
  /// A copy of a boundary value between memory locations (0 is host memory).
  struct Transfer {
    int value = 0;
    int from = 0, to = 0;  // memory locations
  };
  /// Everything a compiled model holds but its executables, as a blob records it
  /// (runtime/model_blob.h). Devices are by name, values and stages by index.
  struct Layout {
    struct StageLayout {
      int device = 0;
      std::vector<int> inputs, outputs;
      std::vector<Transfer> copies;
    };
    std::vector<std::string> devices;  // priority order; memory locations follow from it
    std::vector<std::string> value_names;
    std::vector<ValueType> value_types;
    std::vector<int> input_ids, output_ids;
    std::vector<StageLayout> stages;
    std::vector<Transfer> output_copies;
    std::vector<std::pair<int, Value>> constants;
    Placement placement;
  };

  CompiledState(std::shared_ptr<const ir::Model> model, std::string device, CompileConfig config);
  /// A compiled model read from a blob, compiling nothing: `model` holds only the ports, opsets and
  /// path; each device loads its stage's executable from `payloads[s]` on its worker. The layout
  /// must be checked and its devices present (read_blob does both).
  CompiledState(std::shared_ptr<const ir::Model> model, std::string device, CompileConfig config,
                uint64_t model_hash, Layout layout, const std::vector<std::string_view>& payloads);
  ~CompiledState();

  const ir::Model& model() const { return *model_; }
  const std::string& device() const { return device_; }
  const CompileConfig& config() const { return config_; }
  const std::vector<Port>& inputs() const { return model_->graph->inputs; }
  const std::vector<Port>& outputs() const { return model_->graph->outputs; }
  const Placement& placement() const { return placement_; }
  /// Profile records for the nodes that do not run per inference: folded or fused away.
  std::vector<ProfilingInfo> not_run() const;
  /// Time each device spent running stages and copies since compilation, by device name.
  std::map<std::string, std::chrono::microseconds> busy_time() const;
  /// What each device launched for the stages' runs since compilation, by device name.
  std::map<std::string, DeviceLaunches> launches() const;
  /// model_hash (runtime/model_hash.h) of the model as compile_model was given it.
  uint64_t model_hash() const { return model_hash_; }
  /// Whether it was read from a blob (import_model, a CACHE_DIR hit) rather than compiled.
  bool loaded_from_blob() const { return loaded_from_blob_; }
  Layout layout() const;
  /// Each stage's executable as its device saves it, in stage order. Throws Unsupported from a
  /// device that cannot save.
  std::vector<std::string> save_stages() const;

  /// Starts `run`: each stage is queued to its device's workers when the one before it ends, so
  /// the stages of several runs overlap across devices. Thread-safe. `run` must live until its
  /// finish has returned, and `owner` then let go, which is the last the workers do with it.
  void start(Run& run) const;
  /// Whether the calling thread is one of this model's workers; a run started there waits for
  /// nothing and runs every stage on this thread instead (run_here).
  bool on_worker_thread() const;
  void run_here(Run& run) const;

 private:
  struct Stage {
    int device = 0;  // index into devices_
    std::unique_ptr<devices::Executable> executable;
    std::vector<int> inputs, outputs;  // value ids
    std::vector<Transfer> copies;       // before it runs
  };
  struct DeviceSlot {
    const devices::Device* device = nullptr;
    std::string name;
    int location = 0;
    std::unique_ptr<StreamExecutor> workers;
    mutable std::atomic<int64_t> busy_us{0};
  };

  void add_device(const devices::Device* device);
  /// Placement::streams from the devices' workers.
  void record_streams();
  devices::CompileOptions compile_options() const;
  void compile_alone(const devices::Device& cpu);
  void report_absorbed(const ir::Graph& source);
  void compile_placed(const std::vector<const devices::Device*>& devices, bool fallback);
  void plan_transfers();
  int value_id(const std::string& name, const ValueType& type);
  /// Runs `job` on device `d`'s worker and waits, rethrowing what it threw (compilation uses
  /// the workers so that OpenMP teams never outnumber the cores).
  void on_worker(int d, const std::function<void()>& job) const;
  void run_stage(size_t s, Run& run) const;
  /// Where `device` keeps this model's values; -1 where it has no stage here or shares host memory.
  int location_of(const devices::Device* device) const;
  const DeviceSlot* slot_of(const devices::Device& device) const;
  void copy(const Transfer& transfer, Run& run) const;
  /// A copy of `value` to or from `device` that began at `start`, counted as the device's busy
  /// time and profiled.
  void record_copy(const devices::Device& device, bool to_device, int value, Run& run,
                   std::chrono::steady_clock::time_point start) const;
  /// Whether anything reads `value` in host memory, or copies it from there to a location other
  /// than `except_location`.
  bool read_on_host(int value, int except_location) const;
  /// Where the run's boundary values start: inputs (in the memory they were bound in) and
  /// compile-time constants.
  void seed(Run& run) const;
  /// Output `output` in the memory the request asked for.
  Value delivered(size_t output, Run& run) const;
  /// Whether an output copy to the host serves an output delivered in host memory, or on a
  /// device other than the one it is copied from.
  bool wanted_on_host(const Transfer& t, const Run& run) const;
  void finish_outputs(Run& run) const;
  void continue_from(Run& run) const;

  std::shared_ptr<const ir::Model> model_;
  std::string device_;
  CompileConfig config_;
  std::vector<std::unique_ptr<DeviceSlot>> devices_;
  std::vector<Stage> stages_;
  std::unordered_map<std::string, int> value_ids_;
  std::vector<std::string> value_names_;  // by value id
  std::vector<ValueType> value_types_;
  std::vector<int> input_ids_, output_ids_;
  std::vector<std::pair<int, Value>> constants_;  // boundary values known at compile time
  std::vector<Transfer> output_copies_;            // outputs left in a device's memory
  int locations_ = 1;
  Placement placement_;
  uint64_t model_hash_ = 0;
  bool loaded_from_blob_ = false;
};

/// Core::query_model: the device of each node of the main graph for a compile to `device`.
std::map<std::string, std::string> query_placement(std::shared_ptr<const ir::Model> model, const std::string& device,
                                                   const CompileConfig& config);

}  // namespace tandem::runtime
