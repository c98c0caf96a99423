#include "devices/gpu/cuda/executable.h"

#include <cuda_runtime.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <utility>

#include "devices/gpu/cuda/convert.h"
#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernel_registry.h"
#include "devices/gpu/support/judge_util.h"
#include "execution/arena_plan.h"
#include "execution/graph_plan.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

// cuBLAS's own workspace: set explicitly so that it never allocates while a run is captured.
constexpr size_t kCublasWorkspaceBytes = size_t(32) << 20;

// Ops whose output is their first input's bytes under another shape: in the arena they are the
// same block, and no launch runs for them (BERT has 48 Reshapes).
bool is_view(const ir::Node& node) {
  static const std::set<std::string> views = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"};
  return (node.domain.empty() || node.domain == "ai.onnx") && views.count(node.op_type) > 0;
}

}  // namespace

// What one run at a time uses: its stream, the libraries' handles bound to it, the arena of
// activations and scratch memory, and the run captured as a CUDA graph at its first use.
struct GpuExecutable::Context {
  cudaStream_t stream = nullptr;
  Handles handles;
  DeviceBuffer memory;  // arena, then the kernels' workspace, then cuBLAS's
  std::byte* arena = nullptr;
  void* workspace = nullptr;
  cudaGraphExec_t graph = nullptr;
  bool eager = false;  // capture failed once: launch the kernels one by one from then on
  std::vector<cudaEvent_t> events;  // for profiled runs, one per step boundary
  std::vector<const void*> inputs;  // a launch's pointers, kept to be refilled step by step
  std::vector<void*> outputs;

  Context() {
    check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    check(cublasCreate(&handles.cublas), "cublasCreate");
    check(cublasSetStream(handles.cublas, stream), "cublasSetStream");
    check(cublasLtCreate(&handles.cublas_lt), "cublasLtCreate");
    check(cudnnCreate(&handles.cudnn), "cudnnCreate");
    check(cudnnSetStream(handles.cudnn, stream), "cudnnSetStream");
  }
  ~Context() {
    for (cudaEvent_t event : events) cudaEventDestroy(event);
    if (graph) cudaGraphExecDestroy(graph);
    if (handles.cudnn) cudnnDestroy(handles.cudnn);
    if (handles.cublas_lt) cublasLtDestroy(handles.cublas_lt);
    if (handles.cublas) cublasDestroy(handles.cublas);
    if (stream) cudaStreamDestroy(stream);
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  void allocate(size_t arena_bytes, size_t workspace_bytes, size_t steps) {
    memory = DeviceBuffer(arena_bytes + workspace_bytes + kCublasWorkspaceBytes);
    arena = static_cast<std::byte*>(memory.get());
    workspace = arena + arena_bytes;
    check(cublasSetWorkspace(handles.cublas, arena + arena_bytes + workspace_bytes, kCublasWorkspaceBytes),
          "cublasSetWorkspace");
    events.resize(steps + 1);
    for (cudaEvent_t& event : events) check(cudaEventCreate(&event), "cudaEventCreate");
  }
};

GpuExecutable::GpuExecutable(std::shared_ptr<const ir::Model> subgraph, const devices::CompileOptions& options,
                             const std::map<size_t, std::string>& choices)
    : model_(std::move(subgraph)), compute_(options.inference_precision) {
  if (!is_float(compute_)) compute_ = ElementType::F32;
  check(cudaSetDevice(0), "cudaSetDevice(0)");
  // f16 and bf16 convolutions run on tensor cores, which read channels-last images: given NCHW,
  // cuDNN would transpose in and out of each one. Where a kernel of the laid-out graph cannot be
  // made (a cuDNN without an NHWC algorithm for one of its convolutions), the graph as it came
  // runs instead: slower, the same results.
  if (compute_ != ElementType::F32 && options.channels_last) {
    try {
      build(options.channels_last(model_), options, choices);
      return;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Unsupported) throw;
      slots_.clear();
      steps_.clear();
      constants_.clear();
      idle_.clear();
      workspace_bytes_ = 0;
    }
  }
  build(model_, options, choices);
}

void GpuExecutable::build(std::shared_ptr<const ir::Model> planned, const devices::CompileOptions& options,
                          const std::map<size_t, std::string>& choices) {
  planned_ = std::move(planned);
  // Types, shapes and constants folded on the CPU, the kernels then chosen per node.
  const execution::GraphPlan plan(*planned_->graph, planned_->opsets, execution::OuterScope{}, options.where);
  if (plan.runs_subgraphs())
    throw Error(ErrorKind::Unsupported, options.where + ": GPU: subgraphs (If, Loop, Scan) run on the CPU");

  slots_.resize(plan.slot_count());
  for (size_t s = 0; s < slots_.size(); ++s) {
    const ValueType& type = plan.slot_type(int(s));
    if (!type.is_tensor() || !type.shape.is_static()) continue;  // checked where a step reads it
    Slot& slot = slots_[s];
    slot.logical = type.element_type;
    slot.storage = is_float(type.element_type) ? compute_ : type.element_type;
    slot.shape = type.shape.to_shape();
  }
  const auto require_static = [&](int s, const ir::Node* node) {
    if (s >= 0 && slots_[s].logical == ElementType::Undefined)
      throw Error(ErrorKind::Unsupported,
                  fmt::format("{}: GPU: {} needs tensors of static shapes; a value it {} has none",
                              options.where, node ? "node '" + node->name + "'" : std::string("the subgraph"),
                              node ? "reads or writes" : "takes or gives"));
  };

  input_slots_ = plan.input_slots();
  output_slots_ = plan.output_slots();
  // Each kernel uploads the constants it reads, in the form it wants (packed, converted), and
  // reads no launch input for them; only a constant that is itself an output is uploaded here.
  std::vector<const Tensor*> host_constant(slots_.size(), nullptr);
  for (const auto& [s, value] : plan.constants()) {
    if (!value.is_tensor() || slots_[s].logical == ElementType::Undefined) continue;
    host_constant[s] = &value.tensor();
    slots_[s].is_constant = true;
    if (std::find(output_slots_.begin(), output_slots_.end(), s) == output_slots_.end()) continue;
    constants_.push_back(upload(value.tensor(), slots_[s].storage));
    slots_[s].constant = constants_.back().get();
  }
  for (int s : input_slots_) require_static(s, nullptr);
  for (int s : output_slots_) require_static(s, nullptr);

  std::unique_ptr<Context> first = std::make_unique<Context>();
  for (const execution::Step& planned : plan.steps()) {
    for (int s : planned.inputs) require_static(s, planned.node);
    for (int s : planned.outputs) require_static(s, planned.node);
    const int source = planned.inputs.empty() ? -1 : planned.inputs[0];
    if (is_view(*planned.node) && source >= 0 && !slots_[source].is_constant && planned.outputs.size() == 1 &&
        planned.outputs[0] >= 0 && slots_[planned.outputs[0]].storage == slots_[source].storage) {
      slots_[planned.outputs[0]].view_of = slots_[source].view_of >= 0 ? slots_[source].view_of : source;
      steps_.push_back(Step{.node = planned.node, .inputs = planned.inputs, .outputs = planned.outputs});
      continue;
    }
    GpuNode node{.node = *planned.node, .opset = planned.opset, .compute = compute_, .handles = &first->handles};
    if (const auto saved = choices.find(steps_.size()); saved != choices.end()) node.saved_choice = saved->second;
    for (int s : planned.inputs) {
      node.input_shapes.push_back(s >= 0 ? slots_[s].shape : Shape{});
      node.input_types.push_back(s >= 0 ? slots_[s].storage : ElementType::Undefined);
      node.constants.push_back(s >= 0 ? host_constant[s] : nullptr);
    }
    for (int s : planned.outputs) {
      node.output_shapes.push_back(s >= 0 ? slots_[s].shape : Shape{});
      node.output_types.push_back(s >= 0 ? slots_[s].storage : ElementType::Undefined);
    }
    Step step{.node = planned.node, .kernel = make_gpu_kernel(node), .inputs = planned.inputs,
              .outputs = planned.outputs};
    workspace_bytes_ = std::max(workspace_bytes_, aligned(step.kernel->workspace_bytes()));
    steps_.push_back(std::move(step));
  }

  // Every activation at a fixed offset, planned from lifetimes: a block is written at the step
  // that produces it (or before the first, for inputs) and read until its last reader (or after
  // the last step, for outputs).
  constexpr size_t kNone = size_t(-1);
  std::vector<size_t> first_use(slots_.size(), kNone), last_use(slots_.size(), 0);
  const auto use = [&](int s, size_t at) {
    if (s < 0 || slots_[s].is_constant) return;
    if (slots_[s].view_of >= 0) s = slots_[s].view_of;
    first_use[s] = std::min(first_use[s], at);
    last_use[s] = std::max(last_use[s], at);
  };
  for (int s : input_slots_) use(s, 0);
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (int s : steps_[i].inputs) use(s, i + 1);
    for (int s : steps_[i].outputs) use(s, i + 1);
  }
  for (int s : output_slots_) use(s, steps_.size() + 1);
  std::vector<execution::Lifetime> blocks;
  std::vector<int> block_slot;
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (first_use[s] == kNone) continue;
    blocks.push_back({aligned(slots_[s].count() * element_size(slots_[s].storage)), first_use[s], last_use[s]});
    block_slot.push_back(int(s));
  }
  const execution::ArenaPlacement placement = execution::place_blocks(blocks, kAlignment);
  for (size_t b = 0; b < blocks.size(); ++b) slots_[block_slot[b]].offset = placement.offsets[b];
  for (Slot& slot : slots_)
    if (slot.view_of >= 0) slot.offset = slots_[slot.view_of].offset;
  arena_bytes_ = aligned(placement.bytes);

  first->allocate(arena_bytes_, workspace_bytes_, steps_.size());
  idle_.push_back(std::move(first));
}

GpuExecutable::~GpuExecutable() = default;

DeviceLaunches GpuExecutable::launches() const {
  const auto kernels = std::count_if(steps_.begin(), steps_.end(), [](const Step& step) { return step.kernel != nullptr; });
  return DeviceLaunches{.graphs = graph_launches_, .kernels = (eager_runs_ + profiled_runs_) * int64_t(kernels)};
}

std::map<size_t, std::string> GpuExecutable::choices() const {
  std::map<size_t, std::string> chosen;
  for (size_t i = 0; i < steps_.size(); ++i)
    if (steps_[i].kernel)
      if (std::string choice = steps_[i].kernel->choice(); !choice.empty()) chosen.emplace(i, std::move(choice));
  return chosen;
}

const void* GpuExecutable::address(const Context& context, int slot) const {
  if (slot < 0) return nullptr;
  if (slots_[slot].is_constant) return slots_[slot].constant;  // null where only kernels hold it
  return context.arena + slots_[slot].offset;
}

std::unique_ptr<GpuExecutable::Context> GpuExecutable::take_context() const {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Context> context = std::move(idle_.back());
      idle_.pop_back();
      return context;
    }
  }
  auto context = std::make_unique<Context>();
  context->allocate(arena_bytes_, workspace_bytes_, steps_.size());
  return context;
}

void GpuExecutable::give_back(std::unique_ptr<Context> context) const {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(context));
}

void GpuExecutable::launch_step(Context& context, const Step& step) const {
  if (!step.kernel) return;  // a view: its output is its input's block
  context.inputs.clear();
  context.outputs.clear();
  for (int s : step.inputs) context.inputs.push_back(address(context, s));
  for (int s : step.outputs) context.outputs.push_back(const_cast<void*>(address(context, s)));
  step.kernel->launch(Launch{.stream = context.stream,
                             .handles = &context.handles,
                             .inputs = context.inputs,
                             .outputs = context.outputs,
                             .workspace = context.workspace});
}

void GpuExecutable::enqueue_steps(Context& context) const {
  for (const Step& step : steps_) launch_step(context, step);
}

// The first run of a context captures the steps as a CUDA graph; every run is then one launch.
// Where capture fails (a library call that cannot be captured), the context runs its kernels one
// by one instead, which is slower but the same computation.
void GpuExecutable::launch_graph(Context& context) const {
  if (!context.graph && !context.eager) {
    check(cudaStreamBeginCapture(context.stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
    cudaGraph_t graph = nullptr;
    try {
      enqueue_steps(context);
    } catch (const Error&) {
      cudaStreamEndCapture(context.stream, &graph);
      if (graph) cudaGraphDestroy(graph);
      cudaGetLastError();
      context.eager = true;
    }
    if (!context.eager) {
      const cudaError_t ended = cudaStreamEndCapture(context.stream, &graph);
      if (ended == cudaSuccess && graph &&
          cudaGraphInstantiate(&context.graph, graph, 0) == cudaSuccess) {
        cudaGraphDestroy(graph);
      } else {
        if (graph) cudaGraphDestroy(graph);
        cudaGetLastError();
        context.graph = nullptr;
        context.eager = true;
      }
    }
  }
  if (context.eager) {
    ++eager_runs_;
    enqueue_steps(context);  // throws the failing kernel's own error where it was a kernel's
    return;
  }
  ++graph_launches_;
  check(cudaGraphLaunch(context.graph, context.stream), "cudaGraphLaunch");
}

void GpuExecutable::enqueue_profiled(Context& context, std::vector<ProfilingInfo>& profile) const {
  const auto start = std::chrono::steady_clock::now();
  check(cudaEventRecord(context.events[0], context.stream), "cudaEventRecord");
  for (size_t i = 0; i < steps_.size(); ++i) {
    launch_step(context, steps_[i]);  // a view launches nothing: its event marks the same moment
    check(cudaEventRecord(context.events[i + 1], context.stream), "cudaEventRecord");
  }
  check(cudaEventSynchronize(context.events[steps_.size()]), "cudaEventSynchronize");
  float elapsed_before = 0.0f;
  for (size_t i = 0; i < steps_.size(); ++i) {
    float ms = 0.0f;
    check(cudaEventElapsedTime(&ms, context.events[0], context.events[i + 1]), "cudaEventElapsedTime");
    ProfilingInfo record;
    record.node_name = steps_[i].node->name;
    record.node_type = steps_[i].node->op_type;
    record.exec_type = steps_[i].kernel ? std::string(steps_[i].kernel->name()) : "view";
    record.device = "GPU";
    record.real_time = std::chrono::microseconds(int64_t((ms - elapsed_before) * 1000.0f));
    record.start = start + std::chrono::microseconds(int64_t(elapsed_before * 1000.0f));
    profile.push_back(std::move(record));
    elapsed_before = ms;
  }
}

std::vector<Value> GpuExecutable::run(std::vector<Value> inputs, std::vector<ProfilingInfo>* profile) const {
  if (inputs.size() != input_slots_.size())
    throw Error(ErrorKind::InvalidArgument, fmt::format("GPU: the subgraph takes {} inputs, {} given",
                                                        input_slots_.size(), inputs.size()));
  std::unique_ptr<Context> context = take_context();
  // Inputs into their arena blocks (converted to the compute type): the captured graph reads
  // fixed addresses.
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Slot& slot = slots_[input_slots_[i]];
    const Tensor& x = inputs[i].tensor();
    if (x.shape() != slot.shape || x.element_type() != slot.logical)
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("GPU: input {} is {}{}, the compiled subgraph takes {}{}", i,
                              to_string(x.element_type()), to_string(x.shape()), to_string(slot.logical),
                              to_string(slot.shape)));
    if (slot.is_constant) continue;
    void* target = const_cast<void*>(address(*context, input_slots_[i]));
    if (is_float(slot.logical))
      convert(x.data(), slot.logical, target, slot.storage, slot.count(), context->stream);
    else if (x.byte_size())
      check(cudaMemcpyAsync(target, x.data(), x.byte_size(), cudaMemcpyDeviceToDevice, context->stream),
            "copying an input on the device");
  }
  if (profile) {
    ++profiled_runs_;
    enqueue_profiled(*context, *profile);
  } else {
    launch_graph(*context);
  }
  std::vector<Value> outputs;
  for (int s : output_slots_) {
    const Slot& slot = slots_[s];
    Tensor y = pooled_device_tensor(slot.logical, slot.shape, context->stream);
    if (is_float(slot.logical))
      convert(address(*context, s), slot.storage, y.data(), slot.logical, slot.count(), context->stream);
    else if (y.byte_size())
      check(cudaMemcpyAsync(y.data(), address(*context, s), y.byte_size(), cudaMemcpyDeviceToDevice,
                            context->stream),
            "copying an output on the device");
    outputs.emplace_back(std::move(y));
  }
  // The outputs are whole when this returns; the arena is free for the context's next run.
  check(cudaStreamSynchronize(context->stream), "running the subgraph on the GPU");
  give_back(std::move(context));
  return outputs;
}

}  // namespace tandem::gpu
