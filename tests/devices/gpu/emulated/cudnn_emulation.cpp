// cuDNN as the GPU plugin calls it, on the CPU, for the emulated tests (host_runtime.h): written
// from cuDNN's documented semantics (the legacy convolution and pooling API of cudnn_cnn.h and
// cudnn_ops.h), not from the plugin's use of it, so that a wrong layout, filter format, pad or
// fused-call argument in the plugin gives wrong results here as it would on the GPU.
//
// Emulated:
//   - 4-D tensors and filters in NCHW and NHWC (filters KCRS and KRSC), packed;
//   - 2-D cross-correlation with pads, strides, dilations and groups, in f32, f16 and bf16 with
//     f32 compute; cudnnConvolutionForward (alpha, and beta reading y) and
//     cudnnConvolutionBiasActivationForward (y = act(alpha1 conv + alpha2 z + bias), ReLU with
//     its NaN option, identity with the one algorithm cuDNN allows it);
//   - f32 under any math type but CUDNN_FMA_MATH rounds x and w to TF32 first, as the tensor
//     cores of an A100 or H100 may: a plugin that lets TF32 in fails its f32 tolerance;
//   - algorithms: a few with different workspaces, some not offered for NHWC or for every
//     filter, each with its math type; the heuristics' ranking, cudnnFind's timing (which writes
//     over y and the workspace, as the real one does) and workspace sizes; a run scribbles over
//     the workspace it was given, and fails where it was given less than its algorithm needs;
//   - cudnnPoolingForward: max (NaN propagating or not) and both averages, where y has the size
//     cuDNN's formula gives (else CUDNN_STATUS_BAD_PARAM, and the plugin pools on its own kernel).
// Sums are in double; cuDNN's own accumulation order and rounding are not emulated.
#include <cudnn.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "devices/gpu/emulated/host_runtime.h"

namespace tandem::gpu::emulation {
namespace {

struct CudnnHandle {
  cudaStream_t stream = nullptr;
};

struct Tensor4d {
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  cudnnTensorFormat_t format = CUDNN_TENSOR_NCHW;
  int n = 0, c = 0, h = 0, w = 0;
  bool set = false;

  size_t count() const { return size_t(n) * size_t(c) * size_t(h) * size_t(w); }
  // Element (n, c, h, w)'s index in a packed tensor of this format; for a filter, n is k.
  size_t index(int in, int ic, int ih, int iw) const {
    if (format == CUDNN_TENSOR_NHWC) return ((size_t(in) * h + ih) * w + iw) * c + ic;
    return ((size_t(in) * c + ic) * h + ih) * w + iw;
  }
};

struct Convolution {
  int pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  cudnnConvolutionMode_t mode = CUDNN_CONVOLUTION;
  cudnnDataType_t compute = CUDNN_DATA_FLOAT;
  int groups = 1;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
  bool set = false;
};

struct Activation {
  cudnnActivationMode_t mode = CUDNN_ACTIVATION_RELU;
  cudnnNanPropagation_t nan = CUDNN_NOT_PROPAGATE_NAN;
};

struct Pooling {
  cudnnPoolingMode_t mode = CUDNN_POOLING_MAX;
  cudnnNanPropagation_t nan = CUDNN_NOT_PROPAGATE_NAN;
  int window_h = 1, window_w = 1, pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1;
};

cudaDataType data_type(cudnnDataType_t t) {
  switch (t) {
    case CUDNN_DATA_FLOAT:
      return CUDA_R_32F;
    case CUDNN_DATA_HALF:
      return CUDA_R_16F;
    case CUDNN_DATA_BFLOAT16:
      return CUDA_R_16BF;
    default:
      return CUDA_R_8I;  // refused by emulated_type
  }
}
bool emulated_type(cudnnDataType_t t) {
  return t == CUDNN_DATA_FLOAT || t == CUDNN_DATA_HALF || t == CUDNN_DATA_BFLOAT16;
}

const Tensor4d& tensor(const void* d) { return *static_cast<const Tensor4d*>(d); }
const Convolution& convolution(const void* d) { return *static_cast<const Convolution*>(d); }

// ---- Convolution ----------------------------------------------------------------------------

int output_size(int in, int pad, int window, int dilation, int stride) {
  return 1 + (in + 2 * pad - ((window - 1) * dilation + 1)) / stride;
}

// x, w and y agree with each other and with the convolution, in a configuration cuDNN runs (its
// FLOAT, PSEUDO_HALF and PSEUDO_BFLOAT16 configurations: f32 compute).
bool valid(const Tensor4d& x, const Tensor4d& w, const Convolution& conv, const Tensor4d& y) {
  if (!x.set || !w.set || !y.set || !conv.set || !emulated_type(x.type) || w.type != x.type ||
      y.type != x.type || conv.compute != CUDNN_DATA_FLOAT || conv.mode != CUDNN_CROSS_CORRELATION)
    return false;
  if (w.format != x.format || y.format != x.format) return false;
  return conv.groups >= 1 && x.c == w.c * conv.groups && w.n % conv.groups == 0 && y.n == x.n &&
         y.c == w.n && y.h == output_size(x.h, conv.pad_h, w.h, conv.dilation_h, conv.stride_h) &&
         y.w == output_size(x.w, conv.pad_w, w.w, conv.dilation_w, conv.stride_w) && y.h > 0 &&
         y.w > 0;
}

// The algorithms offered, in the heuristics' order, with the workspace each needs (nullopt: not
// for this convolution) and the math type each runs under.
struct Algorithm {
  cudnnConvolutionFwdAlgo_t algo;
  bool supported;
  size_t workspace;
  cudnnMathType_t math;
};

std::vector<Algorithm> algorithms(const Tensor4d& x, const Tensor4d& w, const Convolution& conv,
                                  const Tensor4d& y) {
  const bool f32 = x.type == CUDNN_DATA_FLOAT, nhwc = x.format == CUDNN_TENSOR_NHWC;
  const size_t element = element_bytes(data_type(x.type));
  const size_t im2col = size_t(w.c) * w.h * w.w * size_t(y.h) * y.w * element;
  const bool winograd = w.h == 3 && w.w == 3 && conv.stride_h == 1 && conv.stride_w == 1 &&
                        conv.dilation_h == 1 && conv.dilation_w == 1 && conv.groups == 1;
  const cudnnMathType_t tensor_math = f32 ? conv.math : CUDNN_TENSOR_OP_MATH;
  const cudnnMathType_t plain_math = f32 ? conv.math : CUDNN_DEFAULT_MATH;
  return {
      {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, true, size_t(64) << 10, tensor_math},
      {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, true, 0, plain_math},
      {CUDNN_CONVOLUTION_FWD_ALGO_GEMM, !nhwc, im2col, plain_math},
      {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, winograd && !nhwc,
       4 * im2col + (size_t(1) << 20), tensor_math},
      {CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, false, 0, plain_math},
      {CUDNN_CONVOLUTION_FWD_ALGO_FFT, false, 0, plain_math},
      {CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, false, 0, plain_math},
      {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, false, 0, plain_math},
  };
}

const Algorithm* find_algorithm(const std::vector<Algorithm>& all, cudnnConvolutionFwdAlgo_t algo) {
  for (const Algorithm& a : all)
    if (a.algo == algo) return a.supported ? &a : nullptr;
  return nullptr;
}

// f32 as a TF32 tensor core reads it: 10 bits of mantissa, rounded to nearest.
float to_tf32(float v) {
  if (!std::isfinite(v)) return v;
  uint32_t bits = 0;
  std::memcpy(&bits, &v, 4);
  bits = (bits + 0x1000u) & ~0x1fffu;
  std::memcpy(&v, &bits, 4);
  return v;
}

// A tensor's values in NCHW order (KCRS for a filter), whatever its format.
std::vector<float> read_nchw(const void* p, const Tensor4d& t, bool tf32) {
  std::vector<float> values(t.count());
  const cudaDataType type = data_type(t.type);
  size_t i = 0;
  for (int n = 0; n < t.n; ++n)
    for (int c = 0; c < t.c; ++c)
      for (int h = 0; h < t.h; ++h)
        for (int w = 0; w < t.w; ++w, ++i) {
          const float v = load(p, type, t.index(n, c, h, w));
          values[i] = tf32 ? to_tf32(v) : v;
        }
  return values;
}

// The convolution of x and w, in y's layout, in double.
std::vector<double> convolve(const void* x_data, const Tensor4d& x, const void* w_data,
                             const Tensor4d& w, const Convolution& conv, const Tensor4d& y) {
  const bool tf32 = x.type == CUDNN_DATA_FLOAT && conv.math != CUDNN_FMA_MATH;
  const std::vector<float> xs = read_nchw(x_data, x, tf32), ws = read_nchw(w_data, w, tf32);
  std::vector<double> out(y.count());
  const int group_in = w.c, group_out = w.n / conv.groups;
  for (int n = 0; n < y.n; ++n)
    for (int k = 0; k < y.c; ++k) {
      const int g = k / group_out;
      for (int oh = 0; oh < y.h; ++oh)
        for (int ow = 0; ow < y.w; ++ow) {
          double sum = 0;
          for (int c = 0; c < group_in; ++c) {
            const float* plane =
                xs.data() + (size_t(n) * x.c + size_t(g * group_in + c)) * x.h * x.w;
            const float* filter = ws.data() + (size_t(k) * w.c + size_t(c)) * w.h * w.w;
            for (int r = 0; r < w.h; ++r) {
              const int ih = oh * conv.stride_h - conv.pad_h + r * conv.dilation_h;
              if (ih < 0 || ih >= x.h) continue;
              for (int s = 0; s < w.w; ++s) {
                const int iw = ow * conv.stride_w - conv.pad_w + s * conv.dilation_w;
                if (iw < 0 || iw >= x.w) continue;
                sum += double(plane[ih * x.w + iw]) * filter[r * w.w + s];
              }
            }
          }
          out[y.index(n, k, oh, ow)] = sum;
        }
    }
  return out;
}

// Checks a run's algorithm and workspace; scribbles over the workspace inside the work.
cudnnStatus_t check_run(const Tensor4d& x, const Tensor4d& w, const Convolution& conv,
                        const Tensor4d& y, cudnnConvolutionFwdAlgo_t algo, const void* workspace,
                        size_t workspace_bytes, size_t& needed) {
  if (!valid(x, w, conv, y)) return CUDNN_STATUS_BAD_PARAM;
  const std::vector<Algorithm> all = algorithms(x, w, conv, y);
  const Algorithm* a = find_algorithm(all, algo);
  if (!a) return CUDNN_STATUS_NOT_SUPPORTED;
  if (workspace_bytes < a->workspace || (a->workspace && !workspace)) {
    std::fprintf(stderr, "cuDNN emulation: algorithm %d needs %zu bytes of workspace, %zu given\n",
                 int(algo), a->workspace, workspace_bytes);
    return CUDNN_STATUS_BAD_PARAM;
  }
  needed = a->workspace;
  return CUDNN_STATUS_SUCCESS;
}

// Ranked results: the supported algorithms in order, then the others with their status.
int rank(const std::vector<Algorithm>& all, int requested, cudnnConvolutionFwdAlgoPerf_t* results,
         size_t workspace_limit) {
  std::vector<const Algorithm*> order;
  for (const Algorithm& a : all)
    if (a.supported && a.workspace <= workspace_limit) order.push_back(&a);
  for (const Algorithm& a : all)
    if (!a.supported || a.workspace > workspace_limit) order.push_back(&a);
  const int count = std::min(requested, int(order.size()));
  for (int i = 0; i < count; ++i) {
    const Algorithm& a = *order[size_t(i)];
    const bool runs = a.supported && a.workspace <= workspace_limit;
    results[i] = {};
    results[i].algo = a.algo;
    results[i].status = runs ? CUDNN_STATUS_SUCCESS : CUDNN_STATUS_NOT_SUPPORTED;
    results[i].time = runs ? 0.01f * float(i + 1) : -1.0f;
    results[i].memory = a.workspace;
    results[i].determinism = CUDNN_DETERMINISTIC;
    results[i].mathType = a.math;
  }
  return count;
}

cudaStream_t stream_of(cudnnHandle_t handle) {
  return reinterpret_cast<CudnnHandle*>(handle)->stream;
}

// A handle or descriptor is an object of ours behind cuDNN's opaque pointer type.
template <class Object, class Opaque>
cudnnStatus_t create(Opaque* made) {
  *made = reinterpret_cast<Opaque>(new Object);
  return CUDNN_STATUS_SUCCESS;
}
template <class Object, class Opaque>
cudnnStatus_t destroy(Opaque object) {
  delete reinterpret_cast<Object*>(object);
  return CUDNN_STATUS_SUCCESS;
}

}  // namespace
}  // namespace tandem::gpu::emulation

namespace emulation = tandem::gpu::emulation;

// ---- Handles and descriptors ----------------------------------------------------------------

const char* cudnnGetErrorString(cudnnStatus_t status) {
  switch (status) {
    case CUDNN_STATUS_SUCCESS:
      return "CUDNN_STATUS_SUCCESS";
    case CUDNN_STATUS_BAD_PARAM:
      return "CUDNN_STATUS_BAD_PARAM (emulated)";
    default:
      return "CUDNN_STATUS_NOT_SUPPORTED (emulated)";
  }
}
cudnnStatus_t cudnnCreate(cudnnHandle_t* handle) {
  return emulation::create<emulation::CudnnHandle>(handle);
}
cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
  return emulation::destroy<emulation::CudnnHandle>(handle);
}
cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t stream) {
  reinterpret_cast<emulation::CudnnHandle*>(handle)->stream = stream;
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnGetStream(cudnnHandle_t handle, cudaStream_t* stream) {
  *stream = emulation::stream_of(handle);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* d) {
  return emulation::create<emulation::Tensor4d>(d);
}
cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t d) {
  return emulation::destroy<emulation::Tensor4d>(d);
}
cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t* d) {
  return emulation::create<emulation::Tensor4d>(d);
}
cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t d) {
  return emulation::destroy<emulation::Tensor4d>(d);
}
cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t* d) {
  return emulation::create<emulation::Convolution>(d);
}
cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t d) {
  return emulation::destroy<emulation::Convolution>(d);
}
cudnnStatus_t cudnnCreateActivationDescriptor(cudnnActivationDescriptor_t* d) {
  return emulation::create<emulation::Activation>(d);
}
cudnnStatus_t cudnnDestroyActivationDescriptor(cudnnActivationDescriptor_t d) {
  return emulation::destroy<emulation::Activation>(d);
}
cudnnStatus_t cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t* d) {
  return emulation::create<emulation::Pooling>(d);
}
cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t d) {
  return emulation::destroy<emulation::Pooling>(d);
}

cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t d, cudnnTensorFormat_t format,
                                         cudnnDataType_t type, int n, int c, int h, int w) {
  if (n <= 0 || c <= 0 || h <= 0 || w <= 0 ||
      (format != CUDNN_TENSOR_NCHW && format != CUDNN_TENSOR_NHWC))
    return CUDNN_STATUS_BAD_PARAM;
  *reinterpret_cast<emulation::Tensor4d*>(d) = {type, format, n, c, h, w, true};
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t d, cudnnDataType_t type,
                                         cudnnTensorFormat_t format, int k, int c, int h, int w) {
  return cudnnSetTensor4dDescriptor(reinterpret_cast<cudnnTensorDescriptor_t>(d), format, type, k,
                                    c, h, w);
}
cudnnStatus_t cudnnGetTensorSizeInBytes(const cudnnTensorDescriptor_t d, size_t* bytes) {
  const emulation::Tensor4d& t = emulation::tensor(d);
  *bytes = t.count() * emulation::element_bytes(emulation::data_type(t.type));
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnGetFilterSizeInBytes(const cudnnFilterDescriptor_t d, size_t* bytes) {
  return cudnnGetTensorSizeInBytes(reinterpret_cast<cudnnTensorDescriptor_t>(d), bytes);
}

cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t d, int pad_h, int pad_w,
                                              int u, int v, int dilation_h, int dilation_w,
                                              cudnnConvolutionMode_t mode,
                                              cudnnDataType_t compute) {
  if (pad_h < 0 || pad_w < 0 || u <= 0 || v <= 0 || dilation_h <= 0 || dilation_w <= 0)
    return CUDNN_STATUS_BAD_PARAM;
  auto& c = *reinterpret_cast<emulation::Convolution*>(d);
  c.pad_h = pad_h;
  c.pad_w = pad_w;
  c.stride_h = u;
  c.stride_w = v;
  c.dilation_h = dilation_h;
  c.dilation_w = dilation_w;
  c.mode = mode;
  c.compute = compute;
  c.set = true;
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t d, int groups) {
  if (groups < 1) return CUDNN_STATUS_BAD_PARAM;
  reinterpret_cast<emulation::Convolution*>(d)->groups = groups;
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t d, cudnnMathType_t math) {
  if (math != CUDNN_DEFAULT_MATH && math != CUDNN_TENSOR_OP_MATH &&
      math != CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION && math != CUDNN_FMA_MATH)
    return CUDNN_STATUS_BAD_PARAM;
  reinterpret_cast<emulation::Convolution*>(d)->math = math;
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(const cudnnConvolutionDescriptor_t d,
                                                    const cudnnTensorDescriptor_t x_desc,
                                                    const cudnnFilterDescriptor_t w_desc, int* n,
                                                    int* c, int* h, int* w) {
  const emulation::Convolution& conv = emulation::convolution(d);
  const emulation::Tensor4d &x = emulation::tensor(x_desc), &f = emulation::tensor(w_desc);
  if (!conv.set || !x.set || !f.set || x.c != f.c * conv.groups) return CUDNN_STATUS_BAD_PARAM;
  *n = x.n;
  *c = f.n;
  *h = emulation::output_size(x.h, conv.pad_h, f.h, conv.dilation_h, conv.stride_h);
  *w = emulation::output_size(x.w, conv.pad_w, f.w, conv.dilation_w, conv.stride_w);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetActivationDescriptor(cudnnActivationDescriptor_t d,
                                           cudnnActivationMode_t mode, cudnnNanPropagation_t nan,
                                           double) {
  *reinterpret_cast<emulation::Activation*>(d) = {mode, nan};
  return CUDNN_STATUS_SUCCESS;
}

// ---- Algorithms -----------------------------------------------------------------------------

cudnnStatus_t cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t, int* count) {
  *count = CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(
    cudnnHandle_t, const cudnnTensorDescriptor_t x, const cudnnFilterDescriptor_t w,
    const cudnnConvolutionDescriptor_t conv, const cudnnTensorDescriptor_t y,
    cudnnConvolutionFwdAlgo_t algo, size_t* bytes) {
  const auto &xt = emulation::tensor(x), &wt = emulation::tensor(w), &yt = emulation::tensor(y);
  const auto& c = emulation::convolution(conv);
  if (!emulation::valid(xt, wt, c, yt)) return CUDNN_STATUS_BAD_PARAM;
  const std::vector<emulation::Algorithm> all = emulation::algorithms(xt, wt, c, yt);
  const emulation::Algorithm* a = emulation::find_algorithm(all, algo);
  if (!a) return CUDNN_STATUS_NOT_SUPPORTED;
  *bytes = a->workspace;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t, const cudnnTensorDescriptor_t x,
                                                     const cudnnFilterDescriptor_t w,
                                                     const cudnnConvolutionDescriptor_t conv,
                                                     const cudnnTensorDescriptor_t y,
                                                     const int requested, int* returned,
                                                     cudnnConvolutionFwdAlgoPerf_t* results) {
  const auto &xt = emulation::tensor(x), &wt = emulation::tensor(w), &yt = emulation::tensor(y);
  const auto& c = emulation::convolution(conv);
  if (!emulation::valid(xt, wt, c, yt) || requested < 1) return CUDNN_STATUS_BAD_PARAM;
  *returned = emulation::rank(emulation::algorithms(xt, wt, c, yt), requested, results,
                              std::numeric_limits<size_t>::max());
  return CUDNN_STATUS_SUCCESS;
}

// Times every algorithm that fits the workspace given: each run writes over y and the workspace.
// It waits for the device, so it cannot be captured.
cudnnStatus_t cudnnFindConvolutionForwardAlgorithmEx(
    cudnnHandle_t, const cudnnTensorDescriptor_t x, const void*, const cudnnFilterDescriptor_t w,
    const void*, const cudnnConvolutionDescriptor_t conv, const cudnnTensorDescriptor_t y,
    void* y_data, const int requested, int* returned, cudnnConvolutionFwdAlgoPerf_t* results,
    void* workspace, size_t workspace_bytes) {
  const auto &xt = emulation::tensor(x), &wt = emulation::tensor(w), &yt = emulation::tensor(y);
  const auto& c = emulation::convolution(conv);
  if (!emulation::valid(xt, wt, c, yt) || requested < 1) return CUDNN_STATUS_BAD_PARAM;
  if (emulation::outside_capture("cudnnFindConvolutionForwardAlgorithmEx") != cudaSuccess)
    return CUDNN_STATUS_NOT_SUPPORTED;
  emulation::scribble(y_data, yt.count() * emulation::element_bytes(emulation::data_type(yt.type)));
  emulation::scribble(workspace, workspace_bytes);
  *returned =
      emulation::rank(emulation::algorithms(xt, wt, c, yt), requested, results, workspace_bytes);
  return CUDNN_STATUS_SUCCESS;
}

// ---- Convolutions ---------------------------------------------------------------------------

cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void* alpha,
                                      const cudnnTensorDescriptor_t x, const void* x_data,
                                      const cudnnFilterDescriptor_t w, const void* w_data,
                                      const cudnnConvolutionDescriptor_t conv,
                                      cudnnConvolutionFwdAlgo_t algo, void* workspace,
                                      size_t workspace_bytes, const void* beta,
                                      const cudnnTensorDescriptor_t y, void* y_data) {
  const emulation::Tensor4d xt = emulation::tensor(x), wt = emulation::tensor(w),
                            yt = emulation::tensor(y);
  const emulation::Convolution c = emulation::convolution(conv);
  size_t scratch = 0;
  if (const cudnnStatus_t s =
          emulation::check_run(xt, wt, c, yt, algo, workspace, workspace_bytes, scratch))
    return s;
  const float a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
  emulation::enqueue(emulation::stream_of(handle), [=] {
    emulation::scribble(workspace, scratch);
    const std::vector<double> sums = emulation::convolve(x_data, xt, w_data, wt, c, yt);
    const cudaDataType type = emulation::data_type(yt.type);
    for (size_t i = 0; i < sums.size(); ++i)
      emulation::store(
          y_data, type, i,
          float(a * sums[i] + (b != 0 ? b * double(emulation::load(y_data, type, i)) : 0.0)));
  });
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnConvolutionBiasActivationForward(
    cudnnHandle_t handle, const void* alpha1, const cudnnTensorDescriptor_t x, const void* x_data,
    const cudnnFilterDescriptor_t w, const void* w_data, const cudnnConvolutionDescriptor_t conv,
    cudnnConvolutionFwdAlgo_t algo, void* workspace, size_t workspace_bytes, const void* alpha2,
    const cudnnTensorDescriptor_t z, const void* z_data, const cudnnTensorDescriptor_t bias,
    const void* bias_data, const cudnnActivationDescriptor_t activation,
    const cudnnTensorDescriptor_t y, void* y_data) {
  const emulation::Tensor4d xt = emulation::tensor(x), wt = emulation::tensor(w),
                            yt = emulation::tensor(y);
  const emulation::Tensor4d zt = emulation::tensor(z), bt = emulation::tensor(bias);
  const emulation::Convolution c = emulation::convolution(conv);
  const emulation::Activation act = *reinterpret_cast<const emulation::Activation*>(activation);
  size_t scratch = 0;
  if (const cudnnStatus_t s =
          emulation::check_run(xt, wt, c, yt, algo, workspace, workspace_bytes, scratch))
    return s;
  // z is y's shape and type; the bias one value per output channel, of y's type.
  if (zt.n != yt.n || zt.c != yt.c || zt.h != yt.h || zt.w != yt.w || zt.type != yt.type ||
      zt.format != yt.format || bt.n != 1 || bt.c != yt.c || bt.h != 1 || bt.w != 1 ||
      bt.type != yt.type || !bias_data || !z_data)
    return CUDNN_STATUS_BAD_PARAM;
  if (act.mode != CUDNN_ACTIVATION_RELU &&
      !(act.mode == CUDNN_ACTIVATION_IDENTITY &&
        algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM))
    return CUDNN_STATUS_NOT_SUPPORTED;
  const float a1 = *static_cast<const float*>(alpha1), a2 = *static_cast<const float*>(alpha2);
  emulation::enqueue(emulation::stream_of(handle), [=] {
    emulation::scribble(workspace, scratch);
    const std::vector<double> sums = emulation::convolve(x_data, xt, w_data, wt, c, yt);
    const cudaDataType type = emulation::data_type(yt.type);
    std::vector<float> out(sums.size());
    for (int n = 0; n < yt.n; ++n)
      for (int k = 0; k < yt.c; ++k)
        for (int h = 0; h < yt.h; ++h)
          for (int ww = 0; ww < yt.w; ++ww) {
            const size_t i = yt.index(n, k, h, ww);
            // z may be y: read before anything is written.
            double v = a1 * sums[i] + double(emulation::load(bias_data, type, size_t(k)));
            if (a2 != 0) v += a2 * double(emulation::load(z_data, type, i));
            float f = float(v);
            if (act.mode == CUDNN_ACTIVATION_RELU)
              f = std::isnan(f) ? (act.nan == CUDNN_PROPAGATE_NAN ? f : 0.0f) : std::max(f, 0.0f);
            out[i] = f;
          }
    for (size_t i = 0; i < out.size(); ++i) emulation::store(y_data, type, i, out[i]);
  });
  return CUDNN_STATUS_SUCCESS;
}

// ---- Pooling --------------------------------------------------------------------------------

cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t d, cudnnPoolingMode_t mode,
                                          cudnnNanPropagation_t nan, int window_h, int window_w,
                                          int pad_h, int pad_w, int stride_h, int stride_w) {
  if (window_h <= 0 || window_w <= 0 || pad_h < 0 || pad_w < 0 || stride_h <= 0 || stride_w <= 0)
    return CUDNN_STATUS_BAD_PARAM;
  *reinterpret_cast<emulation::Pooling*>(d) = {mode,  nan,   window_h, window_w,
                                               pad_h, pad_w, stride_h, stride_w};
  return CUDNN_STATUS_SUCCESS;
}

// y = alpha pool(x) + beta y, where y's size is the one cuDNN's formula gives.
cudnnStatus_t cudnnPoolingForward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t pooling,
                                  const void* alpha, const cudnnTensorDescriptor_t x,
                                  const void* x_data, const void* beta,
                                  const cudnnTensorDescriptor_t y, void* y_data) {
  const emulation::Pooling p = *reinterpret_cast<const emulation::Pooling*>(pooling);
  const emulation::Tensor4d xt = emulation::tensor(x), yt = emulation::tensor(y);
  if (!xt.set || !yt.set || xt.type != yt.type || !emulation::emulated_type(xt.type) ||
      xt.format != yt.format || xt.n != yt.n || xt.c != yt.c ||
      yt.h != 1 + (xt.h + 2 * p.pad_h - p.window_h) / p.stride_h ||
      yt.w != 1 + (xt.w + 2 * p.pad_w - p.window_w) / p.stride_w)
    return CUDNN_STATUS_BAD_PARAM;
  if (p.mode != CUDNN_POOLING_MAX && p.mode != CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING &&
      p.mode != CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING)
    return CUDNN_STATUS_NOT_SUPPORTED;
  const float a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
  emulation::enqueue(emulation::stream_of(handle), [=] {
    const cudaDataType type = emulation::data_type(xt.type);
    for (int n = 0; n < yt.n; ++n)
      for (int c = 0; c < yt.c; ++c)
        for (int oh = 0; oh < yt.h; ++oh)
          for (int ow = 0; ow < yt.w; ++ow) {
            const int h0 = oh * p.stride_h - p.pad_h, w0 = ow * p.stride_w - p.pad_w;
            double sum = 0, best = -std::numeric_limits<double>::infinity();
            bool nan = false;
            int count = 0;
            for (int h = std::max(h0, 0); h < std::min(h0 + p.window_h, xt.h); ++h)
              for (int w = std::max(w0, 0); w < std::min(w0 + p.window_w, xt.w); ++w) {
                const double v = emulation::load(x_data, type, xt.index(n, c, h, w));
                nan |= std::isnan(v);
                if (v > best) best = v;
                sum += v;
                ++count;
              }
            double v = 0;
            if (p.mode == CUDNN_POOLING_MAX)
              v = nan && p.nan == CUDNN_PROPAGATE_NAN ? std::nan("") : best;
            else
              v = sum / (p.mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                             ? p.window_h * p.window_w
                             : count);
            const size_t i = yt.index(n, c, oh, ow);
            emulation::store(
                y_data, type, i,
                float(a * v + (b != 0 ? b * double(emulation::load(y_data, type, i)) : 0.0)));
          }
  });
  return CUDNN_STATUS_SUCCESS;
}
