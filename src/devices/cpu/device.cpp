// The CPU's five answers. It shares host memory, so its copies are the identity, and it supports
// every node the planner accepted: that is what makes fallback to it complete. Its saved executable
// is its subgraph as ONNX: oneDNN primitives cannot be serialised, so load plans the subgraph and
// creates the kernels again (the graph passes, placement and partitioning are what it skips).
#include "devices/cpu/device.h"

#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <thread>

#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/layout_assignment.h"
#include "execution/graph_executor.h"
#include "execution/graph_plan.h"
#include "execution/static_executor.h"
#include "frontend/onnx/reader.h"
#include "frontend/onnx/writer.h"

namespace tandem::cpu {
namespace {

std::string processor_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0)
      if (auto colon = line.find(':'); colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
  return "unknown processor";
}

// oneDNN's own view counts (it honours ONEDNN_MAX_CPU_ISA): without its bf16 kernels there is
// nothing to gain from bf16. AMX implies AVX-512 BF16 in oneDNN's ISA bit sets.
bool has_bf16_kernels() {
  const auto isa = unsigned(dnnl::get_effective_cpu_isa());
  const auto bf16 = unsigned(dnnl::cpu_isa::avx512_core_bf16);
  return (isa & bf16) == bf16;
}

// Its graph is a copy of its own: the copy's constants go as the plan lets them go (the weights
// packed kernels hold), and they go for good where the model handed over was the last holder.
class CpuExecutable : public devices::Executable {
 public:
  CpuExecutable(std::shared_ptr<const ir::Model> model, const devices::CompileOptions& options)
      : model_(own_copy(std::move(model))),
        options_(options),
        plan_(*model_->graph, model_->opsets, execution::OuterScope{}, options.where,
              [this, precision = options.inference_precision](const execution::NodeInfo& info) {
                execution::NodeInfo with_precision = info;
                with_precision.inference_precision = precision;
                std::unique_ptr<execution::Kernel> kernel = select_kernel(with_precision);
                if (auto* layout = dynamic_cast<LayoutKernel*>(kernel.get()))
                  layout_kernels_.emplace(&info.node, layout);
                return kernel;
              },
              [this](const std::string& name) { model_->graph->initializers.erase(name); }) {
    assign_layouts(plan_, layout_kernels_);
    layout_kernels_.clear();
    static_ = execution::StaticExecutor::create(plan_);
    specialisable_ = options.shape_cache_capacity > 0 && !static_ && !plan_.runs_subgraphs() &&
                     has_dynamic_tensor_inputs(*model_->graph);
  }

  std::vector<Value> run(std::vector<Value> inputs, std::vector<ProfilingInfo>* profile) const override {
    std::vector<Value> outputs;
    run_into(inputs, outputs, profile);
    return outputs;
  }
  void run_into(std::vector<Value>& inputs, std::vector<Value>& outputs,
                std::vector<ProfilingInfo>* profile) const override {
    if (static_ && static_->run(inputs, outputs, profile)) return;
    if (const std::shared_ptr<const CpuExecutable> fixed = specialised(inputs))
      return fixed->run_into(inputs, outputs, profile);
    outputs = execution::execute(plan_, std::move(inputs), nullptr, profile);
  }

  /// The subgraph as compiled, with the constants its kernels hold given back.
  ir::Model saved_model() const {
    ir::Model saved = *model_;
    saved.graph = std::make_shared<ir::Graph>(*model_->graph);
    for (const execution::HeldConstant& held : plan_.held_constants())
      saved.graph->initializers.emplace(held.name, plan_.steps()[held.step].kernel->held_input(held.input));
    return saved;
  }

 private:
  static std::shared_ptr<ir::Model> own_copy(std::shared_ptr<const ir::Model> model) {
    auto copy = std::make_shared<ir::Model>(*model);
    copy->graph = std::make_shared<ir::Graph>(*model->graph);  // tensors are handles: no bytes copied
    return copy;
  }

  static bool has_dynamic_tensor_inputs(const ir::Graph& graph) {
    bool dynamic = false;
    for (const Port& input : graph.inputs) {
      if (!input.type.is_tensor() || !input.type.shape.rank_known()) return false;
      dynamic |= !input.type.shape.is_static();
    }
    return dynamic;
  }

  // A graph whose inputs have dynamic dimensions runs reference kernels wherever a shape is not
  // known ahead, and oneDNN's primitives are made for known shapes. A run's inputs fix them: the
  // first time they come, the subgraph goes through the graph passes again (fusions that need
  // static shapes then apply) and is compiled for those shapes (milliseconds for a small CNN, a
  // few hundred for BERT-base), and that executable runs every later input of the same shapes,
  // 5-10x faster than the reference kernels on a CNN. Each holds its own packed weights, so only
  // the most recently used stay (SHAPE_CACHE_CAPACITY, CompileOptions); a run in progress keeps
  // its own. Null where the compile fails (inputs the model does not accept): the general run then
  // says why.
  std::shared_ptr<const CpuExecutable> specialised(const std::vector<Value>& inputs) const {
    if (!specialisable_) return nullptr;
    const auto same_shapes = [&](const Specialisation& s) {
      if (s.shapes.size() != inputs.size()) return false;
      for (size_t i = 0; i < inputs.size(); ++i)
        if (!inputs[i].is_tensor() || inputs[i].tensor().shape() != s.shapes[i]) return false;
      return true;
    };
    std::lock_guard lock(specialised_mutex_);
    for (auto it = specialised_.begin(); it != specialised_.end(); ++it)
      if (same_shapes(*it)) {
        std::rotate(specialised_.begin(), it, it + 1);  // most recently used first
        return specialised_.front().executable;
      }
    Specialisation fresh;
    for (const Value& input : inputs) {
      if (!input.is_tensor()) return nullptr;
      fresh.shapes.push_back(input.tensor().shape());
    }
    auto model = std::make_shared<ir::Model>(saved_model());
    for (size_t i = 0; i < inputs.size() && i < plan_.input_slots().size(); ++i)
      for (Port& port : model->graph->inputs)
        if (plan_.find_slot(port.name) == plan_.input_slots()[i])
          port.type = ValueType::tensor(inputs[i].tensor().element_type(), PartialShape(fresh.shapes[i]));
    try {
      std::shared_ptr<const ir::Model> fixed = std::move(model);
      if (options_.optimize) fixed = options_.optimize(std::move(fixed));
      fresh.executable = std::make_shared<const CpuExecutable>(std::move(fixed), options_);
    } catch (const Error&) {
      fresh.executable = nullptr;
    }
    if (specialised_.size() == size_t(options_.shape_cache_capacity)) specialised_.pop_back();
    specialised_.insert(specialised_.begin(), std::move(fresh));
    return specialised_.front().executable;
  }

  struct Specialisation {
    std::vector<Shape> shapes;
    std::shared_ptr<const CpuExecutable> executable;
  };

  std::shared_ptr<ir::Model> model_;  // the plan refers to its graph
  devices::CompileOptions options_;
  LayoutKernels layout_kernels_;  // while compiling: the kernels that may pass blocked layouts
  execution::GraphPlan plan_;
  std::unique_ptr<execution::StaticExecutor> static_;  // where every value has a static shape
  bool specialisable_ = false;
  mutable std::mutex specialised_mutex_;
  mutable std::vector<Specialisation> specialised_;  // most recently used first
};

class CpuDevice : public devices::Device {
 public:
  devices::DeviceInfo info() const override {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return devices::DeviceInfo{.name = "CPU",
                               .full_name = fmt::format("{} ({} threads)", processor_name(), cores),
                               // oneDNN 2.6 has no f16 matmul or convolution for CPUs.
                               .precisions = has_bf16_kernels() ? std::vector<std::string>{"f32", "bf16"}
                                                                : std::vector<std::string>{"f32"},
                               .memory = "host memory",
                               .throughput_streams = 0};
  }
  devices::Diagnosis diagnose() const override {
    devices::Diagnosis d("CPU");
    d.check("a processor", true, processor_name());
    return d;
  }
  devices::Support supports(const execution::NodeInfo&) const override { return {true, {}}; }
  std::unique_ptr<devices::Executable> compile(std::shared_ptr<const ir::Model> subgraph,
                                               const devices::CompileOptions& options) const override {
    return std::make_unique<CpuExecutable>(std::move(subgraph), options);
  }
  std::string save(const devices::Executable& executable) const override {
    const auto* cpu = dynamic_cast<const CpuExecutable*>(&executable);
    if (!cpu) throw Error(ErrorKind::InvalidArgument, "CPU: save: the executable was not compiled by the CPU");
    return onnx_frontend::write_model(cpu->saved_model());
  }
  std::unique_ptr<devices::Executable> load(std::string_view payload,
                                            const devices::CompileOptions& options) const override {
    std::shared_ptr<const ir::Model> subgraph;
    try {
      subgraph = onnx_frontend::read_model_bytes(payload, options.where);
    } catch (const Error& e) {
      throw Error(ErrorKind::InvalidArgument, fmt::format("CPU: the payload is no saved CPU executable: {}", e.what()));
    }
    return std::make_unique<CpuExecutable>(std::move(subgraph), options);
  }
  bool shares_host_memory() const override { return true; }
  Value copy_to_device(const Value& host) const override { return host; }
  Value copy_to_host(const Value& on_device, const ValueType&) const override { return on_device; }
};

}  // namespace

const devices::Device& cpu_device() {
  static const CpuDevice device;
  return device;
}

}  // namespace tandem::cpu
