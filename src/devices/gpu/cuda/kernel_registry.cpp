#include "devices/gpu/cuda/kernel_registry.h"

#include <fmt/format.h>

#include "devices/gpu/cuda/kernels/attention.h"
#include "devices/gpu/cuda/kernels/conv.h"
#include "devices/gpu/cuda/kernels/data_movement.h"
#include "devices/gpu/cuda/kernels/elementwise.h"
#include "devices/gpu/cuda/kernels/matmul.h"
#include "devices/gpu/cuda/kernels/normalization.h"
#include "devices/gpu/cuda/kernels/pool.h"
#include "tandem/error.h"

namespace tandem::gpu {

std::unique_ptr<GpuKernel> make_gpu_kernel(const GpuNode& node) {
  for (const auto make : {make_conv_kernel, make_pool_kernel, make_matmul_kernel, make_attention_kernel,
                          make_normalization_kernel, make_elementwise_kernel, make_data_movement_kernel})
    if (std::unique_ptr<GpuKernel> kernel = make(node)) return kernel;
  throw Error(ErrorKind::Unsupported, fmt::format("GPU: no kernel for node '{}' ({}), which placement gave the GPU",
                                                  node.node.name, node.node.op_type));
}

}  // namespace tandem::gpu
