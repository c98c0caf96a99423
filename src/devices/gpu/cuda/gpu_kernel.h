// The GPU's kernels: one per node, made at compile time on the CPU (weights uploaded and converted
// once, descriptors and algorithms chosen once), then only enqueued at run time. A run enqueues
// every kernel of the subgraph on one stream, so that the executor can capture the whole run in a
// CUDA graph: launch() must not synchronise with the host, allocate, or create handles.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "tandem/element_type.h"
#include "tandem/shape.h"
#include "tandem/tensor.h"

namespace tandem::gpu {

/// The libraries' handles of one executor context, bound to its stream.
struct Handles {
  cublasHandle_t cublas = nullptr;
  cublasLtHandle_t cublas_lt = nullptr;
  cudnnHandle_t cudnn = nullptr;
};

/// The alignment of the executor's buffers and of a kernel's workspace: cudaMalloc's, which
/// vectorised kernels and cuBLAS expect.
constexpr size_t kAlignment = 256;
/// `bytes` rounded up to kAlignment, so that what follows it in a buffer stays aligned.
constexpr size_t aligned(size_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// What a kernel sees at run time: device pointers in the node's input and output order (null
/// for an omitted optional input), and workspace_bytes() of device scratch memory (kAlignment
/// aligned) that only this launch uses.
struct Launch {
  cudaStream_t stream = nullptr;
  const Handles* handles = nullptr;
  std::span<const void* const> inputs;
  std::span<void* const> outputs;
  void* workspace = nullptr;
};

class GpuKernel {
 public:
  virtual ~GpuKernel() = default;
  /// The implementation, for profiles: "cudnn_conv_f16", "cublaslt_matmul_f32".
  virtual std::string_view name() const = 0;
  /// Device scratch memory launch() needs; planned once per executor context.
  virtual size_t workspace_bytes() const { return 0; }
  /// Enqueues the node on launch.stream. Throws Error (with check, cuda_check.h) on failure.
  virtual void launch(const Launch& launch) const = 0;
  /// What the maker chose by timing on the GPU (an algorithm and its workspace), as text that a
  /// maker given it as GpuNode::saved_choice takes again; empty where nothing was timed.
  virtual std::string choice() const { return {}; }
};

/// What the compiler knows of a node when it makes the node's kernel: every shape static, each
/// tensor's element type as stored on the device (float activations in `compute`: f32, f16 or
/// bf16; integer tensors as they are), constant inputs' values on the host.
struct GpuNode {
  const ir::Node& node;
  int opset = 0;
  std::vector<Shape> input_shapes;          // empty Shape and Undefined type for an omitted input
  std::vector<ElementType> input_types;
  std::vector<const Tensor*> constants;     // the host value of a constant input, else null
  std::vector<Shape> output_shapes;
  std::vector<ElementType> output_types;
  ElementType compute = ElementType::F32;   // F32, F16 or BF16
  const Handles* handles = nullptr;         // for algorithm queries at compile time
  /// A ChannelsLast node's inner op (ops/nn/channels_last.h): its images and output are laid out
  /// [N, H, W, C] in memory, their shapes above given as ONNX's [N, C, H, W].
  bool channels_last = false;
  /// What this node's kernel chose when the executable was saved (GpuKernel::choice), to take
  /// again instead of timing; empty to choose. A choice that no longer applies is chosen anew.
  std::string_view saved_choice;
};

}  // namespace tandem::gpu
