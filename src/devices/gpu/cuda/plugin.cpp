// The CUDA plugin's table (execution_api.h): executables on CUDA, and copies between host and
// device memory. Its one exported symbol is tandem_gpu_execution_api.
#include <fmt/format.h>

#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/executable.h"
#include "devices/gpu/execution_api.h"
#include "devices/gpu/support/saved_executable.h"
#include "frontend/onnx/reader.h"
#include "frontend/onnx/writer.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

std::unique_ptr<devices::Executable> compile(std::shared_ptr<const ir::Model> subgraph,
                                             const devices::CompileOptions& options) {
  return std::make_unique<GpuExecutable>(std::move(subgraph), options);
}

// A saved executable is its subgraph as ONNX, as the CPU's is, with what its kernels chose by
// timing: loading makes the kernels again on the GPU that loads it, taking those choices instead
// of timing again (a kernel whose choice no longer applies there chooses anew).
std::string save(const devices::Executable& executable) {
  const auto* gpu = dynamic_cast<const GpuExecutable*>(&executable);
  if (!gpu) throw Error(ErrorKind::InvalidArgument, "GPU: save: the executable was not compiled by the GPU");
  return write_saved_executable({onnx_frontend::write_model(gpu->subgraph()), gpu->choices()});
}

std::unique_ptr<devices::Executable> load(std::string_view payload, const devices::CompileOptions& options) {
  const SavedExecutable saved = read_saved_executable(payload);
  std::shared_ptr<const ir::Model> subgraph;
  try {
    subgraph = onnx_frontend::read_model_bytes(saved.subgraph, options.where);
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidArgument, fmt::format("GPU: the payload is no saved GPU executable: {}", e.what()));
  }
  return std::make_unique<GpuExecutable>(std::move(subgraph), options, saved.choices);
}

Value copy_to_device(const Value& host) {
  if (!host.is_tensor()) throw Error(ErrorKind::Unsupported, "GPU: only tensors move to the GPU");
  return to_device(host.tensor());
}

Value copy_to_host(const Value& on_device, const ValueType&) {
  if (!on_device.is_tensor()) throw Error(ErrorKind::Unsupported, "GPU: only tensors come back from the GPU");
  return to_host(on_device.tensor());
}

}  // namespace
}  // namespace tandem::gpu

extern "C" __attribute__((visibility("default"))) const tandem::gpu::ExecutionApi* tandem_gpu_execution_api() {
  static const tandem::gpu::ExecutionApi api{.compile = tandem::gpu::compile,
                                             .save = tandem::gpu::save,
                                             .load = tandem::gpu::load,
                                             .copy_to_device = tandem::gpu::copy_to_device,
                                             .copy_to_host = tandem::gpu::copy_to_host,
                                             .host_tensor = tandem::gpu::pinned_host_tensor};
  return &api;
}
