// What the GPU's CUDA execution (the plugin libtandem_gpu_cuda.so, built from cuda/) gives the
// device: a table of entry points that execution.cpp finds with dlopen. A plugin, as ONNX Runtime's
// CUDA provider and OpenVINO's GPU plugin are, so that tandem maps cuBLAS and cuDNN (190 MB resident
// when loaded) only where a model runs on the GPU, and starts where they are missing. The plugin is
// built from the same sources by the same compiler, so C++ types cross the table.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "devices/device.h"

namespace tandem::gpu {

/// Changes whenever the table does; the loader refuses a plugin of another version.
inline constexpr int kExecutionApiVersion = 3;

struct ExecutionApi {
  int version = kExecutionApiVersion;
  std::unique_ptr<devices::Executable> (*compile)(std::shared_ptr<const ir::Model> subgraph,
                                                   const devices::CompileOptions& options) = nullptr;
  std::string (*save)(const devices::Executable& executable) = nullptr;
  std::unique_ptr<devices::Executable> (*load)(std::string_view payload,
                                                const devices::CompileOptions& options) = nullptr;
  Value (*copy_to_device)(const Value& host) = nullptr;
  Value (*copy_to_host)(const Value& on_device, const ValueType& type) = nullptr;
  Tensor (*host_tensor)(ElementType type, const Shape& shape) = nullptr;
};

/// The plugin's one exported symbol.
inline constexpr const char* kExecutionApiSymbol = "tandem_gpu_execution_api";
using ExecutionApiEntry = const ExecutionApi* (*)();

}  // namespace tandem::gpu
