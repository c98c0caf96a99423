// The NVIDIA GPU's answers: a complete diagnosis, and a clear no for everything else until its
// kernels arrive (issue 12).
#include "devices/gpu/device.h"

#include "devices/gpu/diagnosis.h"
#include "devices/gpu/probe.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

constexpr const char* kNotBuilt =
    "GPU: tandem's GPU kernels are not built yet; GPU execution arrives with issue 12";

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
                               .precisions = {"f32", "f16"},
                               .memory = "device memory",
                               .workers = 1};
  }
  devices::Diagnosis diagnose() const override { return gpu::diagnose(machine()); }
  devices::Support supports(const execution::NodeInfo&) const override {
    return {false, kNotBuilt};
  }
  std::unique_ptr<devices::Executable> compile(std::shared_ptr<const ir::Model>,
                                               const devices::CompileOptions&) const override {
    throw Error(ErrorKind::Unsupported, kNotBuilt);
  }
  std::string save(const devices::Executable&) const override {
    throw Error(ErrorKind::Unsupported, kNotBuilt);
  }
  std::unique_ptr<devices::Executable> load(std::string_view,
                                            const devices::CompileOptions&) const override {
    throw Error(ErrorKind::Unsupported, kNotBuilt);
  }
  Value copy_to_device(const Value&) const override {
    throw Error(ErrorKind::Unsupported, kNotBuilt);
  }
  Value copy_to_host(const Value&, const ValueType&) const override {
    throw Error(ErrorKind::Unsupported, kNotBuilt);
  }
};

}  // namespace

const devices::Device& gpu_device() {
  static const GpuDevice device;
  return device;
}

}  // namespace tandem::gpu
