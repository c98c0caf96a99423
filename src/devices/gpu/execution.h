// The GPU device's execution, as the device (device.cpp) reaches it: the CUDA plugin where this
// build made one (execution_api.h, loaded at first use), else one answer saying how to get it.
// The device checks the driver and the GPU first (diagnosis.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "devices/device.h"

namespace tandem::gpu {

/// Why this tandem cannot execute on a GPU, with the fix; nullopt where it can. With `load`, the
/// plugin is loaded (which maps cuBLAS and cuDNN), so that a library missing on this machine is
/// found; without, only its presence is checked.
std::optional<std::string> execution_missing(bool load);
/// Whether the GPU runs `node` (support/op_support.h), or why not.
devices::Support supports_node(const execution::NodeInfo& node);
/// The subgraph compiled for GPU 0: kernels made, weights uploaded, device memory planned.
std::unique_ptr<devices::Executable> compile_for_gpu(std::shared_ptr<const ir::Model> subgraph,
                                                     const devices::CompileOptions& options);
/// The bytes load_for_gpu compiles `executable` again from: its subgraph as ONNX and what its
/// kernels chose by timing (support/saved_executable.h), taken again on load where they still
/// apply. InvalidArgument for an executable another device compiled.
std::string save_for_gpu(const devices::Executable& executable);
std::unique_ptr<devices::Executable> load_for_gpu(std::string_view payload, const devices::CompileOptions& options);
/// Host values into device memory, and back (`type`: the logical type, f32 for float outputs).
Value copy_to_gpu(const Value& host);
Value copy_from_gpu(const Value& on_device, const ValueType& type);
/// Zeroed page-locked host memory, which the GPU's copies read and write without staging.
Tensor gpu_host_tensor(ElementType type, const Shape& shape);

}  // namespace tandem::gpu
