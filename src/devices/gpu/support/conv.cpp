// Which Conv and FusedConv nodes the GPU runs (kernels/conv.cpp, on cuDNN): 1-D and 2-D
// convolutions of float tensors, any groups, strides, dilations and pads, and every activation
// FusedConv fuses. The kernel's maker asks this judge too, so that the two never disagree.
#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "devices/gpu/support/judge_util.h"
#include "devices/gpu/support/op_support.h"
#include "ops/nn/fused_conv.h"
#include "ops/nn/window.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

devices::Support judge(const execution::NodeInfo& info, bool fused) {
  const ir::Node& node = info.node;
  const size_t inputs = node.inputs.size();
  auto present = [&](size_t i) { return i < inputs && !node.inputs[i].empty(); };
  if (!present(0) || !present(1)) return no("X or W is missing");
  if (inputs > (fused ? 4u : 3u)) return no(fmt::format("{} inputs", inputs));
  if (info.output_types.size() != 1) return no("expected one output");
  const ElementType type = info.input_types[0]->element_type;
  if (!is_float(type))
    return no(fmt::format("X is {}; the GPU convolves f32, f16 and bf16", to_string(type)));
  for (size_t i = 1; i < inputs; ++i)
    if (present(i) && info.input_types[i]->element_type != type)
      return no(fmt::format("input {} is {}, X is {}", i,
                            to_string(info.input_types[i]->element_type), to_string(type)));
  const std::vector<int64_t> x = info.input_types[0]->shape.to_shape();
  const std::vector<int64_t> w = info.input_types[1]->shape.to_shape();
  const std::vector<int64_t> y = info.output_types[0].shape.to_shape();
  if (x.size() != 3 && x.size() != 4)
    return no(fmt::format("{}-D convolution; the GPU runs 1-D and 2-D", int(x.size()) - 2));
  for (const auto* shape : {&x, &w, &y})
    if (!fits_cudnn(*shape))
      return no("a tensor is empty or too large for cuDNN's 32-bit indexing");
  if (present(2) && info.input_types[2]->shape.to_shape() != std::vector<int64_t>{w[0]})
    return no(
        fmt::format("B has shape {}, expected [{}]", to_string(info.input_types[2]->shape), w[0]));
  if (present(ops::kFusedConvSumInput) &&
      info.input_types[ops::kFusedConvSumInput]->shape.to_shape() != y)
    return no(fmt::format("Sum has shape {}, the output {}",
                          to_string(info.input_types[ops::kFusedConvSumInput]->shape),
                          to_string(y)));
  // The window's own checks (channels, group, kernel_shape, pads) and the activation's, as the
  // reference applies them.
  try {
    const ops::NodeContext ctx(node, info.opset);
    std::vector<int64_t> out;
    ops::conv_window(ctx, info.input_types[0]->shape, info.input_types[1]->shape, out);
    if (out != y)
      return no(fmt::format("output shape {}, the window gives {}", to_string(y), to_string(out)));
    if (fused) ops::read_activation(ctx);
  } catch (const Error& e) {
    return no(e.what());
  }
  return {true, ""};
}

}  // namespace

std::optional<devices::Support> conv_support(const execution::NodeInfo& info) {
  const ir::Node& node = info.node;
  if (node.op_type == "Conv" && (node.domain.empty() || node.domain == "ai.onnx"))
    return judge(info, false);
  if (node.op_type == "FusedConv" && node.domain == ops::kTandemDomain) return judge(info, true);
  return std::nullopt;
}

}  // namespace tandem::gpu
