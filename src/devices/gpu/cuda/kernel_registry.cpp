#include "devices/gpu/cuda/kernel_registry.h"

#include <fmt/format.h>

#include "devices/gpu/cuda/kernels/attention.h"
#include "devices/gpu/cuda/kernels/conv.h"
#include "devices/gpu/cuda/kernels/data_movement.h"
#include "devices/gpu/cuda/kernels/elementwise.h"
#include "devices/gpu/cuda/kernels/matmul.h"
#include "devices/gpu/cuda/kernels/normalization.h"
#include "devices/gpu/cuda/kernels/pool.h"
#include "ops/nn/channels_last.h"
#include "ops/tandem_domain.h"
#include "tandem/error.h"

namespace tandem::gpu {

namespace {

Shape permuted(const Shape& shape, const std::vector<int64_t>& perm) {
  Shape out;
  for (int64_t p : perm) out.push_back(shape.at(size_t(p)));
  return out;
}

// A ChannelsLast node: its inner convolution or pool, made to read and write NHWC.
std::unique_ptr<GpuKernel> make_channels_last_kernel(const GpuNode& node) {
  const ops::NodeContext ctx(node.node, node.opset);
  const ops::InnerNode inner = ops::channels_last_inner(ctx);
  // The inner node's, with the images' and output's shapes channels-first.
  GpuNode inner_node{.node = inner.node,
                     .opset = inner.opset,
                     .input_shapes = node.input_shapes,
                     .input_types = node.input_types,
                     .constants = node.constants,
                     .output_shapes = node.output_shapes,
                     .output_types = node.output_types,
                     .compute = node.compute,
                     .handles = node.handles,
                     .channels_last = true,
                     .saved_choice = node.saved_choice};
  for (int64_t i : ops::channels_last_images(ctx))
    inner_node.input_shapes[size_t(i)] = permuted(node.input_shapes[size_t(i)], ops::kToChannelsFirst);
  inner_node.output_shapes[0] = permuted(node.output_shapes[0], ops::kToChannelsFirst);
  for (const auto make : {make_conv_kernel, make_pool_kernel})
    if (std::unique_ptr<GpuKernel> kernel = make(inner_node)) return kernel;
  throw Error(ErrorKind::Unsupported, fmt::format("GPU: no channels-last kernel for node '{}' ({})", node.node.name,
                                                  inner.node.op_type));
}

}  // namespace

std::unique_ptr<GpuKernel> make_gpu_kernel(const GpuNode& node) {
  if (node.node.op_type == ops::kChannelsLastOp && node.node.domain == ops::kTandemDomain)
    return make_channels_last_kernel(node);
  for (const auto make : {make_conv_kernel, make_pool_kernel, make_matmul_kernel, make_attention_kernel,
                          make_normalization_kernel, make_elementwise_kernel, make_data_movement_kernel})
    if (std::unique_ptr<GpuKernel> kernel = make(node)) return kernel;
  throw Error(ErrorKind::Unsupported, fmt::format("GPU: no kernel for node '{}' ({}), which placement gave the GPU",
                                                  node.node.name, node.node.op_type));
}

}  // namespace tandem::gpu
