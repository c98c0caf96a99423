// The pools on cuDNN's cudnnPoolingForward, descriptors made once in the maker. A 1-D pool is a
// 2-D one of height 1; a global pool is one window over the spatial dims (folded into one row
// where there are not exactly two). cuDNN pads both ends alike and has no ceil mode: it gets the
// begin pads and the output's true size, and clips each window to the input; pool_support admits
// only the cases where that is exact. The maker tries cuDNN's call once: where this cuDNN refuses
// it (an output larger than its own formula gives, a layout it does not pool), the pool runs on
// our own kernel (pool_direct.h) instead.
#include "devices/gpu/cuda/kernels/pool.h"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/cudnn_descriptors.h"
#include "devices/gpu/cuda/kernels/judged.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/kernels/library_data_types.h"
#include "devices/gpu/cuda/kernels/pool_direct.h"
#include "ops/nn/pool_kernel.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

// One 2-D pooling as cuDNN takes it: X [N, C, in_h, in_w] into Y [N, C, out_h, out_w].
struct Pooling {
  cudnnPoolingMode_t mode = CUDNN_POOLING_MAX;
  int planes_n = 0, planes_c = 0;
  int in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int window_h = 1, window_w = 1, pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1;
  int pad_bottom = 0, pad_right = 0;  // the end pads, which cuDNN takes as equal to the begin's
};

Pooling global_pooling(const GpuNode& g, cudnnPoolingMode_t mode) {
  const Shape& x = g.input_shapes[0];
  Pooling p{.mode = mode, .planes_n = int(x[0]), .planes_c = int(x[1])};
  if (x.size() == 4) {
    p.in_h = int(x[2]);
    p.in_w = int(x[3]);
  } else {
    int64_t size = 1;
    for (size_t i = 2; i < x.size(); ++i) size *= x[i];
    p.in_w = int(size);
  }
  p.window_h = p.in_h;
  p.window_w = p.in_w;
  return p;
}

Pooling window_pooling(const GpuNode& g, bool max) {
  const ops::NodeContext ctx(g.node, g.opset);
  const Shape& x = g.input_shapes[0];
  const Shape& y = g.output_shapes[0];
  std::vector<int64_t> out;
  const bool has_dilations = max ? g.opset >= 10 : g.opset >= 19;
  const ops::Window w = ops::pool_window(ctx, PartialShape(x), g.opset >= 10, has_dilations, out);
  Pooling p{.planes_n = int(x[0]), .planes_c = int(x[1])};
  if (max)
    p.mode = CUDNN_POOLING_MAX;
  else if (g.opset >= 7 && ctx.attr<int64_t>("count_include_pad", 0) != 0)
    p.mode = CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
  else
    p.mode = CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
  const size_t iw = x.size() == 4 ? 1 : 0;  // the window's index of the width
  p.in_w = int(x.back());
  p.out_w = int(y.back());
  p.window_w = int(w.kernel[iw]);
  p.pad_w = int(w.pad_begin(iw));
  p.pad_right = int(w.pad_end(iw));
  p.stride_w = int(w.strides[iw]);
  if (x.size() == 4) {
    p.in_h = int(x[2]);
    p.out_h = int(y[2]);
    p.window_h = int(w.kernel[0]);
    p.pad_h = int(w.pad_begin(0));
    p.pad_bottom = int(w.pad_end(0));
    p.stride_h = int(w.strides[0]);
  }
  return p;
}

class PoolKernel final : public GpuKernel {
 public:
  PoolKernel(const Pooling& p, ElementType type, cudnnTensorFormat_t format, std::string_view kind,
             cudnnHandle_t handle) {
    const cudnnDataType_t t = cudnn_type(type);
    check(cudnnSetTensor4dDescriptor(x_desc_.get(), format, t, p.planes_n, p.planes_c, p.in_h,
                                     p.in_w),
          "cudnnSetTensor4dDescriptor");
    check(cudnnSetTensor4dDescriptor(y_desc_.get(), format, t, p.planes_n, p.planes_c, p.out_h,
                                     p.out_w),
          "cudnnSetTensor4dDescriptor");
    // NaN propagates, as the reference's maximum lets NaN win.
    check(cudnnSetPooling2dDescriptor(pool_desc_.get(), p.mode, CUDNN_PROPAGATE_NAN, p.window_h,
                                      p.window_w, p.pad_h, p.pad_w, p.stride_h, p.stride_w),
          "cudnnSetPooling2dDescriptor");
    const std::string suffix = fmt::format("{}_{}{}", kind, to_string(type), format == CUDNN_TENSOR_NHWC ? "_nhwc" : "");
    if (cudnn_pools(p, type, handle)) {
      name_ = "cudnn_pool_" + suffix;
      return;
    }
    direct_ = DirectPool{.type = type,
                         .max = p.mode == CUDNN_POOLING_MAX,
                         .include_pad = p.mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                         .channels_last = format == CUDNN_TENSOR_NHWC,
                         .n = p.planes_n, .c = p.planes_c, .in_h = p.in_h, .in_w = p.in_w,
                         .out_h = p.out_h, .out_w = p.out_w, .window_h = p.window_h, .window_w = p.window_w,
                         .stride_h = p.stride_h, .stride_w = p.stride_w, .pad_top = p.pad_h, .pad_left = p.pad_w,
                         .pad_bottom = p.pad_bottom, .pad_right = p.pad_right};
    name_ = "direct_pool_" + suffix;
  }

  std::string_view name() const override { return name_; }

  void launch(const Launch& l) const override {
    if (direct_) return launch_direct_pool(*direct_, l.inputs[0], l.outputs[0], l.stream);
    // f32 scaling factors for every storage type but double.
    const float one = 1.0f, zero = 0.0f;
    check(cudnnPoolingForward(l.handles->cudnn, pool_desc_.get(), &one, x_desc_.get(), l.inputs[0],
                              &zero, y_desc_.get(), l.outputs[0]),
          "cudnnPoolingForward");
  }

 private:
  // Whether this cuDNN runs the pooling as described: once, on scratch buffers.
  bool cudnn_pools(const Pooling& p, ElementType type, cudnnHandle_t handle) const {
    const size_t element = element_size(type);
    const DeviceBuffer x(size_t(p.planes_n) * p.planes_c * p.in_h * p.in_w * element);
    const DeviceBuffer y(size_t(p.planes_n) * p.planes_c * p.out_h * p.out_w * element);
    const float one = 1.0f, zero = 0.0f;
    cudaStream_t stream = nullptr;
    const bool pools = cudaMemset(x.get(), 0, x.bytes()) == cudaSuccess &&
                       cudnnGetStream(handle, &stream) == CUDNN_STATUS_SUCCESS &&
                       cudnnPoolingForward(handle, pool_desc_.get(), &one, x_desc_.get(), x.get(), &zero,
                                           y_desc_.get(), y.get()) == CUDNN_STATUS_SUCCESS &&
                       cudaStreamSynchronize(stream) == cudaSuccess;
    if (!pools) cudaGetLastError();
    return pools;
  }

  std::string name_;
  TensorDesc x_desc_, y_desc_;
  PoolingDesc pool_desc_;
  std::optional<DirectPool> direct_;  // where cuDNN refused the pooling
};

}  // namespace

std::unique_ptr<GpuKernel> make_pool_kernel(const GpuNode& node) {
  const ir::Node& n = node.node;
  const std::string& op = n.op_type;
  if (!n.domain.empty() && n.domain != "ai.onnx") return nullptr;
  if (op != "MaxPool" && op != "AveragePool" && op != "GlobalAveragePool" &&
      op != "GlobalMaxPool" && op != "LpPool" && op != "GlobalLpPool")
    return nullptr;
  require_judged(node, pool_support, "not a pool");
  Pooling p;
  if (op == "GlobalAveragePool")
    p = global_pooling(node, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING);
  else if (op == "GlobalMaxPool")
    p = global_pooling(node, CUDNN_POOLING_MAX);
  else
    p = window_pooling(node, op == "MaxPool");
  const std::string kind = op == "MaxPool" || op == "GlobalMaxPool" ? "max" : "average";
  if (node.channels_last && node.input_shapes[0].size() != 4)
    throw Error(ErrorKind::Unsupported,
                fmt::format("GPU: node '{}': a channels-last pool needs 2-D images", n.name));
  if (!node.handles || !node.handles->cudnn)
    throw Error(ErrorKind::Runtime, "GPU: a pool's kernel needs the cuDNN handle at compile time");
  return std::make_unique<PoolKernel>(p, node.compute, node.channels_last ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW,
                                      kind, node.handles->cudnn);
}

}  // namespace tandem::gpu
