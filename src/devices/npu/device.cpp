// The Intel NPU's answers. Its diagnosis is complete; everything past it is a clear no, because
// tandem has no compiler for the NPU yet, even on a machine that has one.
#include "devices/npu/device.h"

#include "devices/npu/diagnosis.h"
#include "devices/npu/probe.h"
#include "tandem/error.h"

namespace tandem::npu {
namespace {

constexpr const char* kNoCompiler =
    "NPU: tandem has no compiler for the Intel NPU yet; VNPU, the virtual NPU, runs NPU-shaped "
    "work in software";

class NpuDevice : public devices::Device {
 public:
  devices::DeviceInfo info() const override {
    return devices::DeviceInfo{.name = "NPU",
                               .full_name = "Intel NPU (Level Zero)",
                               .dynamic_shapes = false,
                               .precisions = {"f16", "int8"},
                               .memory = "system memory shared with the host",
                               .throughput_streams = 1};
  }
  // Probed afresh each time: a few stat() calls and dlopen attempts, and a driver installed while
  // the process runs is seen.
  devices::Diagnosis diagnose() const override { return npu::diagnose(probe_npu()); }
  devices::Support supports(const execution::NodeInfo&) const override {
    return {false, kNoCompiler};
  }
  std::unique_ptr<devices::Executable> compile(std::shared_ptr<const ir::Model>,
                                               const devices::CompileOptions&) const override {
    throw Error(ErrorKind::Unsupported, kNoCompiler);
  }
  std::string save(const devices::Executable&) const override {
    throw Error(ErrorKind::Unsupported, kNoCompiler);
  }
  std::unique_ptr<devices::Executable> load(std::string_view,
                                            const devices::CompileOptions&) const override {
    throw Error(ErrorKind::Unsupported, kNoCompiler);
  }
  Value copy_to_device(const Value&) const override {
    throw Error(ErrorKind::Unsupported, kNoCompiler);
  }
  Value copy_to_host(const Value&, const ValueType&) const override {
    throw Error(ErrorKind::Unsupported, kNoCompiler);
  }
};

}  // namespace

const devices::Device& npu_device() {
  static const NpuDevice device;
  return device;
}

}  // namespace tandem::npu
