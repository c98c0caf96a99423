// The GPU's execution in a CUDA build (execution.h): judges from support/, executables on CUDA.
#include "devices/gpu/execution.h"

#include <fmt/format.h>

#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/executable.h"
#include "devices/gpu/support/op_support.h"
#include "frontend/onnx/reader.h"
#include "frontend/onnx/writer.h"
#include "tandem/error.h"

namespace tandem::gpu {

std::optional<std::string> execution_missing() { return std::nullopt; }

devices::Support supports_node(const execution::NodeInfo& node) { return gpu_support(node); }

std::unique_ptr<devices::Executable> compile_for_gpu(std::shared_ptr<const ir::Model> subgraph,
                                                     const devices::CompileOptions& options) {
  return std::make_unique<GpuExecutable>(std::move(subgraph), options);
}

std::string save_for_gpu(const devices::Executable& executable) {
  const auto* gpu = dynamic_cast<const GpuExecutable*>(&executable);
  if (!gpu) throw Error(ErrorKind::InvalidArgument, "GPU: save: the executable was not compiled by the GPU");
  return onnx_frontend::write_model(gpu->subgraph());
}

std::unique_ptr<devices::Executable> load_for_gpu(std::string_view payload, const devices::CompileOptions& options) {
  std::shared_ptr<const ir::Model> subgraph;
  try {
    subgraph = onnx_frontend::read_model_bytes(payload, options.where);
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidArgument, fmt::format("GPU: the payload is no saved GPU executable: {}", e.what()));
  }
  return compile_for_gpu(std::move(subgraph), options);
}

Value copy_to_gpu(const Value& host) {
  if (!host.is_tensor()) throw Error(ErrorKind::Unsupported, "GPU: only tensors move to the GPU");
  return to_device(host.tensor());
}

Value copy_from_gpu(const Value& on_device, const ValueType&) {
  if (!on_device.is_tensor()) throw Error(ErrorKind::Unsupported, "GPU: only tensors come back from the GPU");
  return to_host(on_device.tensor());
}

}  // namespace tandem::gpu
