// Which pools the GPU runs (kernels/pool.cpp, on cuDNN): MaxPool without Indices, AveragePool,
// GlobalAveragePool and GlobalMaxPool over float tensors. cuDNN pads both ends of a dimension alike
// and has no ceil mode; the kernel gives it the begin pads and the output's true size, and cuDNN
// clips each window to the input, which is exact where every window covers some of the input and
// the padding does not enter the result: the maximum, and the average that excludes the padding.
// The maker asks this judge too, so that the two never disagree.
#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "devices/gpu/support/judge_util.h"
#include "devices/gpu/support/op_support.h"
#include "ops/nn/pool_kernel.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

devices::Support judge_window(const execution::NodeInfo& info, bool max) {
  const ir::Node& node = info.node;
  if (max && node.outputs.size() > 1 && !node.outputs[1].empty())
    return no("MaxPool's Indices output is not implemented on the GPU");
  const std::vector<int64_t> x = info.input_types[0]->shape.to_shape();
  const std::vector<int64_t> y = info.output_types[0].shape.to_shape();
  if (x.size() != 3 && x.size() != 4)
    return no(fmt::format("{}-D pooling; the GPU pools 1-D and 2-D", int(x.size()) - 2));
  try {
    const ops::NodeContext ctx(node, info.opset);
    // The versions that have ceil_mode and dilations, as ops/nn/max_pool.cpp and average_pool.cpp.
    const bool has_ceil_mode = info.opset >= 10;
    const bool has_dilations = max ? info.opset >= 10 : info.opset >= 19;
    std::vector<int64_t> out;
    const ops::Window w =
        ops::pool_window(ctx, info.input_types[0]->shape, has_ceil_mode, has_dilations, out);
    if (out != y)
      return no(fmt::format("output shape {}, the window gives {}", to_string(y), to_string(out)));
    const bool include_pad =
        !max && info.opset >= 7 && ctx.attr<int64_t>("count_include_pad", 0) != 0;
    for (size_t i = 0; i < w.rank(); ++i) {
      if (w.dilations[i] != 1) return no("dilations other than 1: cuDNN's pooling has none");
      // A window wholly in the padding would pool nothing; the reference writes 0 there.
      if (w.pad_begin(i) >= w.kernel[i] || w.pad_end(i) >= w.kernel[i])
        return no(fmt::format("pads {} as large as the window {}", w.pads, w.kernel));
      const int64_t native = (x[i + 2] + 2 * w.pad_begin(i) - w.kernel[i]) / w.strides[i] + 1;
      if (include_pad && (w.pad_end(i) != w.pad_begin(i) || y[i + 2] != native))
        return no(
            "count_include_pad with unequal pads or ceil_mode: cuDNN would count other "
            "padding than ONNX");
    }
  } catch (const Error& e) {
    return no(e.what());
  }
  return {true, ""};
}

devices::Support judge(const execution::NodeInfo& info) {
  const ir::Node& node = info.node;
  if (node.inputs.empty() || node.inputs[0].empty()) return no("X is missing");
  if (info.output_types.empty()) return no("no output");
  const ElementType type = info.input_types[0]->element_type;
  if (!is_float(type))
    return no(fmt::format("X is {}; the GPU pools f32, f16 and bf16", to_string(type)));
  const std::vector<int64_t> x = info.input_types[0]->shape.to_shape();
  if (x.size() < 3) return no(fmt::format("X has rank {}, expected 3 or more", x.size()));
  if (!fits_cudnn(x) || !fits_cudnn(info.output_types[0].shape.to_shape()))
    return no("X or Y is empty or too large for cuDNN's 32-bit indexing");
  if (node.op_type == "MaxPool") return judge_window(info, true);
  if (node.op_type == "AveragePool") return judge_window(info, false);
  return {true, ""};  // GlobalAveragePool, GlobalMaxPool: one window over all the spatial dims
}

}  // namespace

std::optional<devices::Support> pool_support(const execution::NodeInfo& info) {
  const ir::Node& node = info.node;
  if (!node.domain.empty() && node.domain != "ai.onnx") return std::nullopt;
  const std::string& op = node.op_type;
  if (op == "LpPool" || op == "GlobalLpPool") return no(op + " is not implemented on the GPU");
  if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "GlobalMaxPool")
    return judge(info);
  return std::nullopt;
}

}  // namespace tandem::gpu
