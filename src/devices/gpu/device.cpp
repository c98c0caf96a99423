// The NVIDIA GPU on the device seam: the diagnosis of its driver and GPU, then the CUDA execution
// (execution.h) for what the placement gives it. The CPU compiles (types, folding, fusion,
// kernels made and weights uploaded once); the GPU runs the compiled plan.
#include "devices/gpu/device.h"

#include "devices/gpu/diagnosis.h"
#include "devices/gpu/execution.h"
#include "devices/gpu/probe.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

// Probed once per process: cuInit is costly (and a device list does not change under a running
// process in practice).
const GpuProbe& machine() {
  static const GpuProbe probe = probe_gpu();
  return probe;
}

class GpuDevice : public devices::Device {
 public:
  // No probe here: the registry reads every device's info() to find one by name, and a CPU-only
  // compile must not pay for cuInit. The GPU's own name is in its diagnosis.
  devices::DeviceInfo info() const override {
    return devices::DeviceInfo{.name = "GPU",
                               .full_name = "NVIDIA GPU (CUDA)",
                               .dynamic_shapes = false,
                               .precisions = {"f32", "f16", "bf16"},
                               .memory = "device memory",
                               // Each run in flight takes a context of its own (stream, arena,
                               // CUDA graph): four keep the GPU busy while the others copy.
                               .throughput_streams = 4};
  }
  devices::Diagnosis diagnose() const override {
    // Loading the plugin maps cuBLAS and cuDNN: only worth it where there is a GPU to run on.
    const GpuProbe& probe = machine();
    const bool gpu_found = probe.init_called && probe.init_result == 0 && probe.device_count > 0;
    return gpu::diagnose(probe, execution_missing(/*load=*/gpu_found));
  }
  devices::Support supports(const execution::NodeInfo& node) const override { return supports_node(node); }
  std::unique_ptr<devices::Executable> compile(std::shared_ptr<const ir::Model> subgraph,
                                               const devices::CompileOptions& options) const override {
    const devices::Diagnosis diagnosis = diagnose();
    if (!diagnosis.available()) throw Error(ErrorKind::Unsupported, diagnosis.summary());
    return compile_for_gpu(std::move(subgraph), options);
  }
  std::string save(const devices::Executable& executable) const override { return save_for_gpu(executable); }
  std::unique_ptr<devices::Executable> load(std::string_view payload,
                                            const devices::CompileOptions& options) const override {
    const devices::Diagnosis diagnosis = diagnose();
    if (!diagnosis.available()) throw Error(ErrorKind::Unsupported, diagnosis.summary());
    return load_for_gpu(payload, options);
  }
  Value copy_to_device(const Value& host) const override { return copy_to_gpu(host); }
  Value copy_to_host(const Value& on_device, const ValueType& type) const override {
    return copy_from_gpu(on_device, type);
  }
  Tensor host_tensor(ElementType type, const Shape& shape) const override { return gpu_host_tensor(type, shape); }
};

}  // namespace

const devices::Device& gpu_device() {
  static const GpuDevice device;
  return device;
}

}  // namespace tandem::gpu
