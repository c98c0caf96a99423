// ChannelsLast, tandem's internal op (domain com.tandem, version 1): a 2-D convolution or pool
// whose image inputs and output are laid out [N, H, W, C] instead of ONNX's [N, C, H, W]. A device
// whose convolutions run fastest on channels-last data (the GPU's tensor cores, in f16 and bf16)
// has its subgraph rewritten into these (passes/channels_last.h), with Transposes where the layout
// changes; between two such nodes the Transposes cancel, so that the images stay channels-last.
//
// Attributes: `inner_op` and `inner_domain` (the op it wraps: Conv, FusedConv, MaxPool, ...),
// `inner_opset` (the opset of that op's domain), `image_inputs` (the inputs laid out NHWC; the
// others, weights and bias, are as the inner op takes them), and every attribute of the inner op.
// Output 0 is NHWC; the node has no other output.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "ops/node_context.h"

namespace tandem::ops {

inline constexpr std::string_view kChannelsLastOp = "ChannelsLast";
/// The permutations between the layouts, as Transpose's `perm`.
inline const std::vector<int64_t> kToChannelsLast{0, 2, 3, 1};
inline const std::vector<int64_t> kToChannelsFirst{0, 3, 1, 2};

/// The node a ChannelsLast node wraps (same name, inputs and outputs; the inner op's attributes),
/// and the opset it is read at.
struct InnerNode {
  ir::Node node;
  int opset = 0;
};
InnerNode channels_last_inner(const NodeContext& ctx);
/// The inputs of a ChannelsLast node laid out NHWC.
std::vector<int64_t> channels_last_images(const NodeContext& ctx);
/// `inner` wrapped: image inputs `images` and its output NHWC.
ir::Node wrap_channels_last(const ir::Node& inner, int inner_opset, const std::vector<int64_t>& images);

}  // namespace tandem::ops
