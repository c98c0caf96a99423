// The GPU device's execution, as the device (device.cpp) reaches it: CUDA kernels where the build
// found the CUDA toolkit (cuda/execution.cpp), else one answer saying how to get them
// (without_cuda.cpp). The device checks the driver and the GPU first (diagnosis.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "devices/device.h"

namespace tandem::gpu {

/// Why this build cannot execute on a GPU, with the fix; nullopt in a CUDA build.
std::optional<std::string> execution_missing();
/// Whether the GPU runs `node` (support/op_support.h), or why not.
devices::Support supports_node(const execution::NodeInfo& node);
/// The subgraph compiled for GPU 0: kernels made, weights uploaded, device memory planned.
std::unique_ptr<devices::Executable> compile_for_gpu(std::shared_ptr<const ir::Model> subgraph,
                                                     const devices::CompileOptions& options);
/// The bytes load_for_gpu compiles `executable` again from: its subgraph as ONNX (kernels and
/// algorithms are chosen again on load, on the GPU that loads it). InvalidArgument for an
/// executable another device compiled.
std::string save_for_gpu(const devices::Executable& executable);
std::unique_ptr<devices::Executable> load_for_gpu(std::string_view payload, const devices::CompileOptions& options);
/// Host values into device memory, and back (`type`: the logical type, f32 for float outputs).
Value copy_to_gpu(const Value& host);
Value copy_from_gpu(const Value& on_device, const ValueType& type);

}  // namespace tandem::gpu
