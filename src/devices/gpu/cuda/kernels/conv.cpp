// Conv and FusedConv on cuDNN's convolution. Everything is decided in the maker: descriptors, the
// algorithm (cuDNN's heuristics, within a workspace cap), weights and bias uploaded in the compute
// type. A run is one cudnnConvolutionBiasActivationForward where that is exact (a ReLU, with the
// residual as its z), else cudnnConvolutionForward and, where there is a bias, a residual or an
// activation, one epilogue kernel over the output in place (conv_epilogue.cu).
//
// f32 convolves with CUDNN_FMA_MATH, so that no TF32 tensor core rounds the inputs and the
// results stay within f32 rounding of the reference, on the algorithm cuDNN's heuristics rank
// first; f16 and bf16 use tensor cores and accumulate in f32, on the algorithm that ran fastest
// when each was timed on this convolution (cudnnFind, as PyTorch's cudnn.benchmark), a choice the
// model cache keeps (choice()). cuDNN pads both ends of a dimension alike: unequal pads (SAME_UPPER, SAME_LOWER) are
// applied by copying X into a zeroed, padded copy in the workspace first.
#include "devices/gpu/cuda/kernels/conv.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/kernels/activation.h"
#include "devices/gpu/cuda/kernels/conv_epilogue.h"
#include "devices/gpu/cuda/kernels/cudnn_descriptors.h"
#include "devices/gpu/cuda/kernels/judged.h"
#include "devices/gpu/cuda/kernels/library_data_types.h"
#include "ops/nn/fused_conv.h"
#include "ops/nn/window.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

// The most workspace one convolution may ask for; faster algorithms beyond it are passed over.
constexpr size_t kMaxWorkspace = size_t(256) << 20;

// Conv's geometry as cuDNN's 2-D convolution takes it: a 1-D convolution is a 2-D one of height 1.
struct Geometry {
  int batch = 0, channels = 0, height = 1, width = 0;
  int out_channels = 0, kernel_h = 1, kernel_w = 0, out_h = 1, out_w = 0, group = 1;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;

  bool symmetric() const { return pad_top == pad_bottom && pad_left == pad_right; }
};

Geometry geometry(const GpuNode& g) {
  const ops::NodeContext ctx(g.node, g.opset);
  const Shape& x = g.input_shapes[0];
  const Shape& w = g.input_shapes[1];
  const Shape& y = g.output_shapes[0];
  std::vector<int64_t> out;
  const ops::Window window = ops::conv_window(ctx, PartialShape(x), PartialShape(w), out);
  const bool two_d = x.size() == 4;
  Geometry r;
  r.batch = int(x[0]);
  r.channels = int(x[1]);
  r.out_channels = int(w[0]);
  r.group = int(ctx.attr<int64_t>("group", 1));
  r.width = int(x.back());
  r.kernel_w = int(w.back());
  r.out_w = int(y.back());
  const size_t iw = two_d ? 1 : 0;  // the window's index of the width
  r.stride_w = int(window.strides[iw]);
  r.dilation_w = int(window.dilations[iw]);
  r.pad_left = int(window.pad_begin(iw));
  r.pad_right = int(window.pad_end(iw));
  if (two_d) {
    r.height = int(x[2]);
    r.kernel_h = int(w[2]);
    r.out_h = int(y[2]);
    r.stride_h = int(window.strides[0]);
    r.dilation_h = int(window.dilations[0]);
    r.pad_top = int(window.pad_begin(0));
    r.pad_bottom = int(window.pad_end(0));
  }
  return r;
}

TensorDesc tensor_desc(cudnnDataType_t type, int n, int c, int h, int w,
                       cudnnTensorFormat_t format = CUDNN_TENSOR_NCHW) {
  TensorDesc d;
  check(cudnnSetTensor4dDescriptor(d.get(), format, type, n, c, h, w), "cudnnSetTensor4dDescriptor");
  return d;
}

// The math type cuDNN's queries run under: FMA for f32 (no TF32); tensor-op math for f16 and bf16,
// under which they offer the tensor-core algorithms and the others, each result with its own math
// type (which take() then sets for it).
cudnnMathType_t query_math(ElementType type) {
  return type == ElementType::F32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
}

// OIHW weights laid out OHWI (KRSC), as cuDNN's NHWC filters are; any element type.
Tensor to_ohwi(const Tensor& w) {
  const Shape& s = w.shape();
  const int64_t o = s[0], i = s[1], h = s[2], k = s[3];
  const size_t size = element_size(w.element_type());
  Tensor out(w.element_type(), Shape{o, h, k, i});
  const auto* from = static_cast<const std::byte*>(w.data());
  auto* to = static_cast<std::byte*>(out.data());
  for (int64_t a = 0; a < o; ++a)
    for (int64_t b = 0; b < i; ++b)
      for (int64_t c = 0; c < h; ++c)
        for (int64_t d = 0; d < k; ++d)
          std::memcpy(to + size_t(((a * h + c) * k + d) * i + b) * size,
                      from + size_t(((a * i + b) * h + c) * k + d) * size, size);
  return out;
}

class ConvKernel final : public GpuKernel {
 public:
  explicit ConvKernel(const GpuNode& g);

  std::string_view name() const override { return name_; }
  size_t workspace_bytes() const override { return aligned(cudnn_workspace_) + padded_bytes_; }
  void launch(const Launch& launch) const override;
  std::string choice() const override {
    return timed_ ? fmt::format("algo={} math={}", int(algorithm_), int(math_)) : std::string();
  }

 private:
  // Device buffers to run candidate algorithms on while choosing.
  struct Scratch {
    explicit Scratch(const ConvKernel& conv);
    DeviceBuffer x, own_w, own_bias, y, workspace;
    const void* w = nullptr;
    const void* bias = nullptr;
  };
  using ScratchFn = std::function<const Scratch&()>;
  void choose_algorithm(cudnnHandle_t handle, std::string_view saved);
  bool take(cudnnHandle_t handle, cudnnConvolutionFwdAlgo_t algorithm, cudnnMathType_t math, const ScratchFn& buffers);
  bool take_saved(cudnnHandle_t handle, std::string_view saved, const ScratchFn& buffers);
  bool take_fastest(cudnnHandle_t handle, const Scratch& scratch);
  bool take_first_ranked(cudnnHandle_t handle, const ScratchFn& buffers);

  std::string name_;
  Geometry geo_;
  ElementType type_;
  TensorDesc x_desc_, y_desc_, bias_desc_;
  FilterDesc w_desc_;
  ConvDesc conv_desc_;
  ActivationDesc relu_desc_;
  cudnnConvolutionFwdAlgo_t algorithm_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  cudnnMathType_t math_ = CUDNN_DEFAULT_MATH;
  bool timed_ = false;  // chosen by timing (now or when saved), not by the heuristics alone
  bool channels_last_ = false;
  size_t cudnn_workspace_ = 0;
  // Unequal pads: X copied into a zeroed [N, C, H + pads, W + pads] after cuDNN's workspace.
  size_t padded_bytes_ = 0;
  cudaMemcpy3DParms pad_copy_{};
  // A constant input held here (the executor passes null for it); empty where read at run time.
  DeviceBuffer input_, weights_, bias_, sum_;
  bool has_bias_ = false, has_sum_ = false;
  bool fused_relu_ = false;  // cudnnConvolutionBiasActivationForward
  bool epilogue_ = false;
  ConvEpilogue epilogue_args_;
};

ConvKernel::ConvKernel(const GpuNode& g) : geo_(geometry(g)), type_(g.compute) {
  if (!g.handles || !g.handles->cudnn)
    throw Error(ErrorKind::Runtime, "GPU: Conv's kernel needs the cuDNN handle at compile time");
  const cudnnDataType_t type = cudnn_type(type_);
  const size_t element = element_size(type_);
  const Geometry& r = geo_;
  // Channels-last: what tensor cores read without cuDNN transposing around the convolution.
  const cudnnTensorFormat_t format = g.channels_last ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
  if (g.channels_last && (!r.symmetric() || g.input_shapes[0].size() != 4 || !g.constants[1]))
    throw Error(ErrorKind::Unsupported,
                fmt::format("GPU: node '{}': a channels-last convolution needs 2-D images, equal pads and "
                            "constant weights",
                            g.node.name));

  // X as cuDNN reads it: the input itself with symmetric pads, else its padded copy.
  int pad_h = r.pad_top, pad_w = r.pad_left;
  if (!r.symmetric()) {
    const size_t height = size_t(r.height + r.pad_top + r.pad_bottom);
    const size_t width = size_t(r.width + r.pad_left + r.pad_right);
    padded_bytes_ = aligned(size_t(r.batch) * r.channels * height * width * element);
    pad_copy_.srcPtr = make_cudaPitchedPtr(nullptr, size_t(r.width) * element,
                                           size_t(r.width) * element, size_t(r.height));
    pad_copy_.dstPtr = make_cudaPitchedPtr(nullptr, width * element, width * element, height);
    pad_copy_.dstPos = make_cudaPos(size_t(r.pad_left) * element, size_t(r.pad_top), 0);
    pad_copy_.extent =
        make_cudaExtent(size_t(r.width) * element, size_t(r.height), size_t(r.batch) * r.channels);
    pad_copy_.kind = cudaMemcpyDeviceToDevice;
    x_desc_ = tensor_desc(type, r.batch, r.channels, int(height), int(width));
    pad_h = pad_w = 0;
  } else {
    x_desc_ = tensor_desc(type, r.batch, r.channels, r.height, r.width, format);
  }
  y_desc_ = tensor_desc(type, r.batch, r.out_channels, r.out_h, r.out_w, format);
  check(cudnnSetFilter4dDescriptor(w_desc_.get(), type, format, r.out_channels,
                                   r.channels / r.group, r.kernel_h, r.kernel_w),
        "cudnnSetFilter4dDescriptor");
  check(cudnnSetConvolution2dDescriptor(conv_desc_.get(), pad_h, pad_w, r.stride_h, r.stride_w,
                                        r.dilation_h, r.dilation_w, CUDNN_CROSS_CORRELATION,
                                        CUDNN_DATA_FLOAT),
        "cudnnSetConvolution2dDescriptor");
  check(cudnnSetConvolutionGroupCount(conv_desc_.get(), r.group), "cudnnSetConvolutionGroupCount");
  check(cudnnSetConvolutionMathType(conv_desc_.get(), query_math(type_)), "cudnnSetConvolutionMathType");
  int n = 0, c = 0, h = 0, w = 0;
  check(cudnnGetConvolution2dForwardOutputDim(conv_desc_.get(), x_desc_.get(), w_desc_.get(), &n,
                                              &c, &h, &w),
        "cudnnGetConvolution2dForwardOutputDim");
  if (n != r.batch || c != r.out_channels || h != r.out_h || w != r.out_w)
    throw Error(
        ErrorKind::Runtime,
        fmt::format("GPU: node '{}': cuDNN's convolution gives [{},{},{},{}], ONNX [{},{},{},{}]",
                    g.node.name, n, c, h, w, r.batch, r.out_channels, r.out_h, r.out_w));

  if (g.constants[0]) input_ = upload(*g.constants[0], type_);
  if (g.constants[1]) weights_ = upload(g.channels_last ? to_ohwi(*g.constants[1]) : *g.constants[1], type_);
  has_bias_ = g.node.inputs.size() > 2 && !g.node.inputs[2].empty();
  if (has_bias_ && g.constants[2]) bias_ = upload(*g.constants[2], type_);
  has_sum_ = g.node.inputs.size() > ops::kFusedConvSumInput &&
             !g.node.inputs[ops::kFusedConvSumInput].empty();
  if (has_sum_ && g.constants[ops::kFusedConvSumInput])
    sum_ = upload(*g.constants[ops::kFusedConvSumInput], type_);
  ops::Activation activation;
  if (g.node.op_type == "FusedConv")
    activation = ops::read_activation(ops::NodeContext(g.node, g.opset));

  // cuDNN's fused call is exact for a ReLU; it is kept to ungrouped convolutions, where all of
  // its algorithms take it.
  fused_relu_ = activation.kind == ops::ActivationKind::Relu && r.group == 1;
  if (fused_relu_) {
    bias_desc_ = tensor_desc(type, 1, r.out_channels, 1, 1, format);  // in y's format, as z is
    // CUDNN_NOT_PROPAGATE_NAN, which TensorFlow notes is all the fused call takes and ONNX
    // Runtime passes too; the epilogue's ReLU (fmaxf) maps NaN to 0 alike.
    check(cudnnSetActivationDescriptor(relu_desc_.get(), CUDNN_ACTIVATION_RELU,
                                       CUDNN_NOT_PROPAGATE_NAN, 0.0),
          "cudnnSetActivationDescriptor");
    if (!has_bias_)  // the fused call always adds a bias
      bias_ = upload(Tensor::from<float>(std::vector<float>(size_t(r.out_channels), 0.0f),
                                         Shape{r.out_channels}),
                     type_);
  }
  epilogue_ =
      !fused_relu_ && (has_bias_ || has_sum_ || activation.kind != ops::ActivationKind::None);
  epilogue_args_ = {type_, int64_t(r.batch) * r.out_channels * r.out_h * r.out_w, r.out_channels,
                    int64_t(r.out_h) * r.out_w, g.channels_last, device_activation(activation)};
  channels_last_ = g.channels_last;
  choose_algorithm(g.handles->cudnn, g.saved_choice);
  name_ = fmt::format("cudnn_conv{}_{}{}", fused_relu_ ? "_bias_relu" : "", to_string(type_),
                      channels_last_ ? "_nhwc" : "");
}

void ConvKernel::choose_algorithm(cudnnHandle_t handle, std::string_view saved) {
  // Buffers to time on and to try the fused call with, made only where needed.
  std::optional<Scratch> scratch;
  const auto buffers = [&]() -> const Scratch& {
    if (!scratch) scratch.emplace(*this);
    return *scratch;
  };
  for (;;) {
    if (type_ != ElementType::F32 && (take_saved(handle, saved, buffers) || take_fastest(handle, buffers()))) {
      timed_ = true;
      return;
    }
    if (take_first_ranked(handle, buffers)) return;
    if (!fused_relu_) break;
    // No algorithm runs cuDNN's fused call here: plain convolution, then the epilogue's ReLU.
    fused_relu_ = false;
    epilogue_ = true;
  }
  throw Error(ErrorKind::Unsupported,
              fmt::format("GPU: cuDNN has no {} convolution algorithm for this node within {} MiB of workspace",
                          to_string(type_), kMaxWorkspace >> 20));
}

// Random X, scratch Y, the weights (random where they are not constant) and the most workspace
// an algorithm may have.
ConvKernel::Scratch::Scratch(const ConvKernel& conv) {
  size_t x_bytes = 0, w_bytes = 0, y_bytes = 0, free = 0, total = 0;
  check(cudnnGetTensorSizeInBytes(conv.x_desc_.get(), &x_bytes), "cudnnGetTensorSizeInBytes");
  check(cudnnGetFilterSizeInBytes(conv.w_desc_.get(), &w_bytes), "cudnnGetFilterSizeInBytes");
  check(cudnnGetTensorSizeInBytes(conv.y_desc_.get(), &y_bytes), "cudnnGetTensorSizeInBytes");
  check(cudaMemGetInfo(&free, &total), "cudaMemGetInfo");
  const auto random = [&](size_t bytes) {
    std::vector<float> values(bytes / element_size(conv.type_));
    uint32_t state = 12345;
    for (float& v : values) v = float(int32_t(state = state * 1664525u + 1013904223u) >> 8) / float(1 << 23);
    return upload(Tensor::from<float>(std::move(values)), conv.type_);
  };
  x = random(x_bytes);
  if (!conv.weights_.get()) own_w = random(w_bytes);
  w = conv.weights_.get() ? conv.weights_.get() : own_w.get();
  if (conv.fused_relu_ && !conv.bias_.get()) own_bias = random(size_t(conv.geo_.out_channels) * element_size(conv.type_));
  bias = conv.bias_.get() ? conv.bias_.get() : own_bias.get();
  y = DeviceBuffer(y_bytes);
  workspace = DeviceBuffer(std::min(kMaxWorkspace, free / 4));
}

// An algorithm (with its math type) where its workspace fits the cap and, for the fused call, it
// runs: the fused call does not take every algorithm plain convolution does. f32 keeps
// CUDNN_FMA_MATH whatever cuDNN offers, as tensor-op math would mean TF32.
bool ConvKernel::take(cudnnHandle_t handle, cudnnConvolutionFwdAlgo_t algorithm, cudnnMathType_t math,
                      const ScratchFn& buffers) {
  const bool f32 = type_ == ElementType::F32;
  if (f32 && math != CUDNN_FMA_MATH && math != CUDNN_DEFAULT_MATH) return false;
  if (!f32 && cudnnSetConvolutionMathType(conv_desc_.get(), math) != CUDNN_STATUS_SUCCESS) return false;
  size_t bytes = 0;
  if (cudnnGetConvolutionForwardWorkspaceSize(handle, x_desc_.get(), w_desc_.get(), conv_desc_.get(),
                                              y_desc_.get(), algorithm, &bytes) != CUDNN_STATUS_SUCCESS ||
      bytes > kMaxWorkspace)
    return false;
  if (fused_relu_) {
    const Scratch& s = buffers();
    const float one = 1.0f, zero = 0.0f;
    cudaStream_t stream = nullptr;
    const bool runs =
        bytes <= s.workspace.bytes() && cudnnGetStream(handle, &stream) == CUDNN_STATUS_SUCCESS &&
        cudnnConvolutionBiasActivationForward(handle, &one, x_desc_.get(), s.x.get(), w_desc_.get(), s.w,
                                              conv_desc_.get(), algorithm, s.workspace.get(), bytes, &zero,
                                              y_desc_.get(), s.y.get(), bias_desc_.get(), s.bias,
                                              relu_desc_.get(), y_desc_.get(), s.y.get()) == CUDNN_STATUS_SUCCESS &&
        cudaStreamSynchronize(stream) == cudaSuccess;
    if (!runs) {
      cudaGetLastError();
      return false;
    }
  }
  algorithm_ = algorithm;
  math_ = f32 ? CUDNN_FMA_MATH : math;
  cudnn_workspace_ = bytes;
  return true;
}

bool ConvKernel::take_saved(cudnnHandle_t handle, std::string_view saved, const ScratchFn& buffers) {
  int algorithm = 0, math = 0;
  if (saved.empty() || std::sscanf(std::string(saved).c_str(), "algo=%d math=%d", &algorithm, &math) != 2)
    return false;
  return take(handle, cudnnConvolutionFwdAlgo_t(algorithm), cudnnMathType_t(math), buffers);
}

// Every algorithm cuDNN offers, run on this convolution's shapes, fastest first: the first that
// fits is taken. False where timing fails.
bool ConvKernel::take_fastest(cudnnHandle_t handle, const Scratch& s) {
  int max_count = 0;
  if (cudnnGetConvolutionForwardAlgorithmMaxCount(handle, &max_count) != CUDNN_STATUS_SUCCESS) return false;
  std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(size_t(std::max(max_count, 1)));
  int returned = 0;
  // A saved choice that take() passed over left its math type on the descriptor.
  if (cudnnSetConvolutionMathType(conv_desc_.get(), query_math(type_)) != CUDNN_STATUS_SUCCESS) return false;
  const cudnnStatus_t status = cudnnFindConvolutionForwardAlgorithmEx(
      handle, x_desc_.get(), s.x.get(), w_desc_.get(), s.w, conv_desc_.get(), y_desc_.get(), s.y.get(), max_count,
      &returned, perf.data(), s.workspace.get(), s.workspace.bytes());
  if (status != CUDNN_STATUS_SUCCESS) {
    cudaGetLastError();
    return false;
  }
  const ScratchFn same = [&]() -> const Scratch& { return s; };
  for (int i = 0; i < returned; ++i)
    if (perf[size_t(i)].status == CUDNN_STATUS_SUCCESS && perf[size_t(i)].memory <= s.workspace.bytes() &&
        take(handle, perf[size_t(i)].algo, perf[size_t(i)].mathType, same))
      return true;
  return false;
}

// cuDNN's heuristics' ranking: the first that fits, timing nothing. False where none does.
bool ConvKernel::take_first_ranked(cudnnHandle_t handle, const ScratchFn& buffers) {
  int max_count = 0;
  check(cudnnGetConvolutionForwardAlgorithmMaxCount(handle, &max_count),
        "cudnnGetConvolutionForwardAlgorithmMaxCount");
  std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(size_t(max_count > 0 ? max_count : 1));
  int returned = 0;
  // The candidates take() passed over while timing left their math type on the descriptor.
  check(cudnnSetConvolutionMathType(conv_desc_.get(), query_math(type_)), "cudnnSetConvolutionMathType");
  check(
      cudnnGetConvolutionForwardAlgorithm_v7(handle, x_desc_.get(), w_desc_.get(), conv_desc_.get(),
                                             y_desc_.get(), max_count, &returned, perf.data()),
      "cudnnGetConvolutionForwardAlgorithm_v7");
  for (int i = 0; i < returned; ++i)
    if (perf[size_t(i)].status == CUDNN_STATUS_SUCCESS &&
        take(handle, perf[size_t(i)].algo, perf[size_t(i)].mathType, buffers))
      return true;
  return false;
}

void ConvKernel::launch(const Launch& l) const {
  const float one = 1.0f;
  const void* x = input_.get() ? input_.get() : l.inputs[0];
  if (padded_bytes_) {
    void* padded = static_cast<char*>(l.workspace) + aligned(cudnn_workspace_);
    check(cudaMemsetAsync(padded, 0, padded_bytes_, l.stream), "zeroing Conv's padded input");
    cudaMemcpy3DParms copy = pad_copy_;
    copy.srcPtr.ptr = const_cast<void*>(x);
    copy.dstPtr.ptr = padded;
    check(cudaMemcpy3DAsync(&copy, l.stream), "copying Conv's input into its padding");
    x = padded;
  }
  const void* w = weights_.get() ? weights_.get() : l.inputs[1];
  const void* bias = bias_.get() ? bias_.get() : has_bias_ ? l.inputs[2] : nullptr;
  const void* sum =
      sum_.get() ? sum_.get() : has_sum_ ? l.inputs[ops::kFusedConvSumInput] : nullptr;
  void* y = l.outputs[0];
  void* workspace = cudnn_workspace_ ? l.workspace : nullptr;
  const cudnnHandle_t handle = l.handles->cudnn;
  if (fused_relu_) {
    // y = relu(conv + alpha2 * z + bias); without a residual z is y itself, scaled by 0.
    const float alpha2 = sum ? 1.0f : 0.0f;
    check(cudnnConvolutionBiasActivationForward(
              handle, &one, x_desc_.get(), x, w_desc_.get(), w, conv_desc_.get(), algorithm_,
              workspace, cudnn_workspace_, &alpha2, y_desc_.get(), sum ? sum : y, bias_desc_.get(),
              bias, relu_desc_.get(), y_desc_.get(), y),
          "cudnnConvolutionBiasActivationForward");
    return;
  }
  // A residual in y's own memory (the output written over it) is added by cuDNN's blend, which
  // reads y before writing it; the epilogue then adds no sum.
  const bool sum_in_y = sum && sum == y;
  const float beta = sum_in_y ? 1.0f : 0.0f;
  check(cudnnConvolutionForward(handle, &one, x_desc_.get(), x, w_desc_.get(), w, conv_desc_.get(),
                                algorithm_, workspace, cudnn_workspace_, &beta, y_desc_.get(), y),
        "cudnnConvolutionForward");
  if (epilogue_) launch_conv_epilogue(epilogue_args_, y, bias, sum_in_y ? nullptr : sum, l.stream);
}

}  // namespace

std::unique_ptr<GpuKernel> make_conv_kernel(const GpuNode& node) {
  const ir::Node& n = node.node;
  const bool conv = n.op_type == "Conv" && (n.domain.empty() || n.domain == "ai.onnx");
  const bool fused = n.op_type == "FusedConv" && n.domain == ops::kTandemDomain;
  if (!conv && !fused) return nullptr;
  require_judged(node, conv_support, "not a convolution");
  return std::make_unique<ConvKernel>(node);
}

}  // namespace tandem::gpu
