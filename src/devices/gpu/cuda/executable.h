// A subgraph compiled for the GPU: planned on the CPU once (types, shapes, one kernel per node,
// weights uploaded, every activation at a fixed offset of one device arena), then run as one CUDA
// graph launch between the copies of its inputs and outputs.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "devices/device.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/gpu_kernel.h"

namespace tandem::gpu {

class GpuExecutable final : public devices::Executable {
 public:
  /// Throws InvalidModel or Unsupported naming the node where the subgraph has what the GPU
  /// cannot run (a dynamic shape, a node no kernel makes), and Runtime for CUDA failures.
  /// `choices`: what the kernels of a saved executable chose (choices()), to take again.
  GpuExecutable(std::shared_ptr<const ir::Model> subgraph, const devices::CompileOptions& options,
                const std::map<size_t, std::string>& choices = {});
  ~GpuExecutable() override;
  GpuExecutable(const GpuExecutable&) = delete;
  GpuExecutable& operator=(const GpuExecutable&) = delete;

  /// Inputs in device memory as the subgraph declares them; outputs likewise, in new device
  /// memory. Thread-safe: concurrent runs each take a context (stream, arena, CUDA graph) of
  /// their own. With `profile`, runs the kernels one by one between events and records each.
  std::vector<Value> run(std::vector<Value> inputs, std::vector<ProfilingInfo>* profile) const override;

  /// The subgraph as compiled (before kernels and the GPU's own layout), which a saved
  /// executable is made of.
  const ir::Model& subgraph() const { return *model_; }
  /// What the kernels chose by timing on the GPU, by step: a saved executable keeps it.
  std::map<size_t, std::string> choices() const;
  /// Device bytes of one context's activations.
  size_t arena_bytes() const { return arena_bytes_; }
  /// How the runs since compiling went: each run without profiling is one CUDA graph launch
  /// (between the copies of its inputs and outputs) unless capture failed, and then runs its
  /// kernels one by one.
  struct RunCounts {
    int64_t graph_launches = 0, eager_runs = 0, profiled_runs = 0;
  };
  RunCounts run_counts() const { return {graph_launches_, eager_runs_, profiled_runs_}; }
  /// The same for the runtime: graph launches, and the nodes' kernels enqueued one by one.
  DeviceLaunches launches() const override;

 private:
  struct Slot {
    ElementType logical = ElementType::Undefined;  // as the model declares it
    ElementType storage = ElementType::Undefined;  // on the device: floats in the compute type
    Shape shape;
    size_t offset = 0;              // in the arena, unless constant
    bool is_constant = false;       // its kernels hold it; launches get null for it
    int view_of = -1;               // the slot whose block a view op's output shares
    const void* constant = nullptr; // device memory of a constant that is an output
    size_t count() const { return size_t(shape_size(shape)); }
  };
  struct Step {
    const ir::Node* node = nullptr;
    std::unique_ptr<GpuKernel> kernel;  // null for a view op, which runs nothing
    std::vector<int> inputs, outputs;  // slots; -1 for an omitted optional input
  };
  struct Context;

  /// Plans `planned` (the subgraph, or it laid out for the GPU): slots, kernels, the arena.
  void build(std::shared_ptr<const ir::Model> planned, const devices::CompileOptions& options,
             const std::map<size_t, std::string>& choices);
  std::unique_ptr<Context> take_context() const;
  void give_back(std::unique_ptr<Context> context) const;
  const void* address(const Context& context, int slot) const;
  void launch_step(Context& context, const Step& step) const;
  void enqueue_steps(Context& context) const;
  void enqueue_profiled(Context& context, std::vector<ProfilingInfo>& profile) const;
  void launch_graph(Context& context) const;

  std::shared_ptr<const ir::Model> model_;
  std::shared_ptr<const ir::Model> planned_;  // what the steps run: model_, laid out for the GPU
  ElementType compute_ = ElementType::F32;
  std::vector<Slot> slots_;
  std::vector<Step> steps_;
  std::vector<int> input_slots_, output_slots_;
  std::vector<DeviceBuffer> constants_;
  size_t arena_bytes_ = 0, workspace_bytes_ = 0;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Context>> idle_;
  mutable std::atomic<int64_t> graph_launches_{0}, eager_runs_{0}, profiled_runs_{0};
};

}  // namespace tandem::gpu
