// What the GPU plugin relies on of CUDA, cuBLASLt and cuDNN, checked against values worked out
// here from their documentation: column-major products with transposes, padded leading
// dimensions, strided batches and the bias epilogue; convolutions in NCHW and NHWC with KRSC
// filters, groups, pads and strides, beta, and the fused bias-activation call; pooling; stream
// capture into a graph. On the GPU this checks the libraries against our reading of them; in the
// CPU emulation (tests/devices/gpu/emulated/) it checks the emulation against the same reading,
// so that the two cannot drift apart unnoticed.
#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/gpu_test_util.h"
#include "devices/gpu/cuda/kernels/cudnn_descriptors.h"

namespace tandem::gpu {
namespace {

using testing::gpu_present;

DeviceBuffer device_floats(const std::vector<float>& values) {
  DeviceBuffer buffer(values.size() * sizeof(float));
  check(cudaMemcpy(buffer.get(), values.data(), buffer.bytes(), cudaMemcpyHostToDevice),
        "cudaMemcpy");
  return buffer;
}

std::vector<float> host_floats(const void* device, size_t count) {
  std::vector<float> values(count);
  check(cudaMemcpy(values.data(), device, count * sizeof(float), cudaMemcpyDeviceToHost),
        "cudaMemcpy");
  return values;
}

cublasLtMatrixLayout_t layout(uint64_t rows, uint64_t cols, int64_t ld, int32_t batch = 1,
                              int64_t stride = 0) {
  cublasLtMatrixLayout_t l = nullptr;
  check(cublasLtMatrixLayoutCreate(&l, CUDA_R_32F, rows, cols, ld), "cublasLtMatrixLayoutCreate");
  if (batch > 1) {
    check(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch,
                                           sizeof(batch)),
          "batch");
    check(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                           sizeof(stride)),
          "stride");
  }
  return l;
}

// D (2 x 3 per batch, ld 3) = op(A) B + bias, then ReLU: A stored 4 x 2 (ld 5) and transposed, B
// 4 x 3 (ld 4), two batches; the bias one value per row of D.
TEST(CublasLtSemantics, TransposedStridedBatchWithBiasAndRelu) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const int64_t m = 2, n = 3, k = 4, lda = 5, ldb = 4, ldd = 3, batch = 2;
  std::vector<float> a(size_t(lda * m * batch)), b(size_t(ldb * n * batch));
  for (size_t i = 0; i < a.size(); ++i) a[i] = float(int(i % 7) - 3);
  for (size_t i = 0; i < b.size(); ++i) b[i] = float(int(i % 5) - 2);
  const std::vector<float> bias{0.5f, -20.0f};
  // Worked out from the documented semantics: op(A)(i, q) = A(q, i) = a[q + i * lda]. D's
  // padding rows (ld 3 for 2 rows) keep what they held.
  std::vector<float> want(size_t(ldd * n * batch), -1.0f);
  for (int64_t s = 0; s < batch; ++s)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float sum = bias[size_t(i)];
        for (int64_t q = 0; q < k; ++q)
          sum += a[size_t(s * lda * m + q + i * lda)] * b[size_t(s * ldb * n + q + j * ldb)];
        want[size_t(s * ldd * n + i + j * ldd)] = sum > 0 ? sum : 0;
      }
  const DeviceBuffer da = device_floats(a), db = device_floats(b), dbias = device_floats(bias);
  const DeviceBuffer dd = device_floats(std::vector<float>(want.size(), -1.0f));
  cublasLtHandle_t handle = nullptr;
  check(cublasLtCreate(&handle), "cublasLtCreate");
  cublasLtMatmulDesc_t desc = nullptr;
  check(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F),
        "cublasLtMatmulDescCreate");
  const int32_t transposed = CUBLAS_OP_T;
  const uint32_t epilogue = CUBLASLT_EPILOGUE_RELU_BIAS;
  const void* bias_pointer = dbias.get();
  check(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transposed,
                                       sizeof(transposed)),
        "transa");
  check(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue,
                                       sizeof(epilogue)),
        "epilogue");
  check(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias_pointer,
                                       sizeof(bias_pointer)),
        "bias");
  cublasLtMatrixLayout_t la = layout(k, m, lda, batch, lda * m),
                         lb = layout(k, n, ldb, batch, ldb * n),
                         ld = layout(m, n, ldd, batch, ldd * n);
  cublasLtMatmulPreference_t preference = nullptr;
  check(cublasLtMatmulPreferenceCreate(&preference), "cublasLtMatmulPreferenceCreate");
  const uint64_t max_workspace = 0;
  check(cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                             &max_workspace, sizeof(max_workspace)),
        "workspace");
  const uint32_t alignment = 4;  // the strides of 5 floats align no better
  for (const auto attribute :
       {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
    check(
        cublasLtMatmulPreferenceSetAttribute(preference, attribute, &alignment, sizeof(alignment)),
        "alignment");
  cublasLtMatmulHeuristicResult_t result{};
  int count = 0;
  check(
      cublasLtMatmulAlgoGetHeuristic(handle, desc, la, lb, ld, ld, preference, 1, &result, &count),
      "heuristic");
  ASSERT_EQ(count, 1);
  const float one = 1.0f, zero = 0.0f;
  check(cublasLtMatmul(handle, desc, &one, da.get(), la, db.get(), lb, &zero, dd.get(), ld,
                       dd.get(), ld, &result.algo, nullptr, 0, nullptr),
        "cublasLtMatmul");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  const std::vector<float> got = host_floats(dd.get(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(got[i], want[i]) << "at " << i;
  cublasLtMatmulPreferenceDestroy(preference);
  for (cublasLtMatrixLayout_t l : {la, lb, ld}) cublasLtMatrixLayoutDestroy(l);
  cublasLtMatmulDescDestroy(desc);
  cublasLtDestroy(handle);
}

// One grouped, strided, padded convolution through cuDNN's legacy API, in `format`: x [1, 4, 5, 5],
// w [4, 2, 3, 3] in 2 groups, pads 1, stride 2, so y [1, 4, 3, 3]. `fused` runs
// cudnnConvolutionBiasActivationForward with z and a ReLU, else cudnnConvolutionForward with beta
// 1 over y's previous values.
struct ConvResult {
  std::vector<float> got, want;  // NCHW
};

ConvResult convolve(cudnnTensorFormat_t format, bool fused) {
  const int c = 4, hw = 5, k = 4, group = 2, r = 3, out = 3;
  const auto at = [&](int channels, int size, int ch, int y, int x) {  // an NCHW index in `format`
    return format == CUDNN_TENSOR_NHWC ? size_t((y * size + x) * channels + ch)
                                       : size_t((ch * size + y) * size + x);
  };
  const auto filter_at = [&](int kk, int ch, int y, int x) {  // KCRS, or KRSC for NHWC
    return format == CUDNN_TENSOR_NHWC ? size_t(((kk * r + y) * r + x) * (c / group) + ch)
                                       : size_t(((kk * (c / group) + ch) * r + y) * r + x);
  };
  std::vector<float> x(size_t(c * hw * hw)), w(size_t(k * (c / group) * r * r)),
      before(size_t(k * out * out));
  std::vector<float> bias{1.0f, -50.0f, 0.25f, 2.0f};
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < hw; ++y)
      for (int xx = 0; xx < hw; ++xx)
        x[at(c, hw, ch, y, xx)] = float((ch * 7 + y * 3 + xx) % 5 - 2);
  for (int kk = 0; kk < k; ++kk)
    for (int ch = 0; ch < c / group; ++ch)
      for (int y = 0; y < r; ++y)
        for (int xx = 0; xx < r; ++xx)
          w[filter_at(kk, ch, y, xx)] = float((kk + 2 * ch + y * xx) % 3 - 1);
  for (size_t i = 0; i < before.size(); ++i) before[i] = float(i % 4);
  ConvResult result;
  result.want.resize(before.size());
  for (int kk = 0; kk < k; ++kk)
    for (int oy = 0; oy < out; ++oy)
      for (int ox = 0; ox < out; ++ox) {
        float sum = 0;
        const int g = kk / (k / group);
        for (int ch = 0; ch < c / group; ++ch)
          for (int y = 0; y < r; ++y)
            for (int xx = 0; xx < r; ++xx) {
              const int iy = oy * 2 - 1 + y, ix = ox * 2 - 1 + xx;
              if (iy >= 0 && iy < hw && ix >= 0 && ix < hw)
                sum += x[at(c, hw, g * (c / group) + ch, iy, ix)] * w[filter_at(kk, ch, y, xx)];
            }
        const float previous = before[at(k, out, kk, oy, ox)];
        const float v = fused ? sum + 0.5f * previous + bias[size_t(kk)] : sum + previous;
        result.want[size_t((kk * out + oy) * out + ox)] = fused && v < 0 ? 0 : v;
      }
  cudnnHandle_t handle = nullptr;
  check(cudnnCreate(&handle), "cudnnCreate");
  TensorDesc x_desc, y_desc, bias_desc;
  FilterDesc w_desc;
  ConvDesc conv;
  ActivationDesc relu;
  check(cudnnSetTensor4dDescriptor(x_desc.get(), format, CUDNN_DATA_FLOAT, 1, c, hw, hw), "x");
  check(cudnnSetTensor4dDescriptor(y_desc.get(), format, CUDNN_DATA_FLOAT, 1, k, out, out), "y");
  check(cudnnSetTensor4dDescriptor(bias_desc.get(), format, CUDNN_DATA_FLOAT, 1, k, 1, 1), "bias");
  check(cudnnSetFilter4dDescriptor(w_desc.get(), CUDNN_DATA_FLOAT, format, k, c / group, r, r),
        "w");
  check(cudnnSetConvolution2dDescriptor(conv.get(), 1, 1, 2, 2, 1, 1, CUDNN_CROSS_CORRELATION,
                                        CUDNN_DATA_FLOAT),
        "conv");
  check(cudnnSetConvolutionGroupCount(conv.get(), group), "groups");
  check(cudnnSetConvolutionMathType(conv.get(), CUDNN_FMA_MATH), "math");
  check(
      cudnnSetActivationDescriptor(relu.get(), CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0),
      "relu");
  int n_out = 0, c_out = 0, h_out = 0, w_out = 0;
  check(cudnnGetConvolution2dForwardOutputDim(conv.get(), x_desc.get(), w_desc.get(), &n_out,
                                              &c_out, &h_out, &w_out),
        "output dims");
  EXPECT_EQ(std::vector<int>({n_out, c_out, h_out, w_out}), std::vector<int>({1, k, out, out}));
  const DeviceBuffer dx = device_floats(x), dw = device_floats(w), dbias = device_floats(bias);
  const DeviceBuffer dy = device_floats(before), dz = device_floats(before);
  const cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace_bytes = 0;
  check(cudnnGetConvolutionForwardWorkspaceSize(handle, x_desc.get(), w_desc.get(), conv.get(),
                                                y_desc.get(), algo, &workspace_bytes),
        "workspace size");
  const DeviceBuffer workspace(workspace_bytes);
  const float one = 1.0f, half = 0.5f;
  if (fused)
    check(cudnnConvolutionBiasActivationForward(
              handle, &one, x_desc.get(), dx.get(), w_desc.get(), dw.get(), conv.get(), algo,
              workspace.get(), workspace_bytes, &half, y_desc.get(), dz.get(), bias_desc.get(),
              dbias.get(), relu.get(), y_desc.get(), dy.get()),
          "cudnnConvolutionBiasActivationForward");
  else
    check(cudnnConvolutionForward(handle, &one, x_desc.get(), dx.get(), w_desc.get(), dw.get(),
                                  conv.get(), algo, workspace.get(), workspace_bytes, &one,
                                  y_desc.get(), dy.get()),
          "cudnnConvolutionForward");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  const std::vector<float> got = host_floats(dy.get(), before.size());
  result.got.resize(got.size());
  for (int kk = 0; kk < k; ++kk)
    for (int oy = 0; oy < out; ++oy)
      for (int ox = 0; ox < out; ++ox)
        result.got[size_t((kk * out + oy) * out + ox)] = got[at(k, out, kk, oy, ox)];
  cudnnDestroy(handle);
  return result;
}

TEST(CudnnSemantics, GroupedStridedConvolutionInBothLayouts) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  for (const cudnnTensorFormat_t format : {CUDNN_TENSOR_NCHW, CUDNN_TENSOR_NHWC})
    for (const bool fused : {false, true}) {
      SCOPED_TRACE((format == CUDNN_TENSOR_NHWC ? "NHWC" : "NCHW") +
                   std::string(fused ? " fused" : " beta 1"));
      const ConvResult r = convolve(format, fused);
      for (size_t i = 0; i < r.want.size(); ++i) EXPECT_FLOAT_EQ(r.got[i], r.want[i]) << "at " << i;
    }
}

// Max and both averages over 2 x 2 windows, stride 2, pad 1 on [1, 1, 3, 3].
TEST(CudnnSemantics, Pooling) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  const DeviceBuffer dx = device_floats(x), dy = device_floats(std::vector<float>(4, -1.0f));
  cudnnHandle_t handle = nullptr;
  check(cudnnCreate(&handle), "cudnnCreate");
  TensorDesc x_desc, y_desc;
  check(cudnnSetTensor4dDescriptor(x_desc.get(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, 1, 3, 3),
        "x");
  check(cudnnSetTensor4dDescriptor(y_desc.get(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, 1, 2, 2),
        "y");
  // The windows hold {1}, {2, 3}, {4, 7} and {5, 6, 8, 9}.
  const std::vector<std::pair<cudnnPoolingMode_t, std::vector<float>>> cases{
      {CUDNN_POOLING_MAX, {1, 3, 7, 9}},
      {CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, {0.25f, 1.25f, 2.75f, 7}},
      {CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, {1, 2.5f, 5.5f, 7}}};
  for (const auto& [mode, want] : cases) {
    PoolingDesc pooling;
    check(cudnnSetPooling2dDescriptor(pooling.get(), mode, CUDNN_PROPAGATE_NAN, 2, 2, 1, 1, 2, 2),
          "pooling");
    const float one = 1.0f, zero = 0.0f;
    check(cudnnPoolingForward(handle, pooling.get(), &one, x_desc.get(), dx.get(), &zero,
                              y_desc.get(), dy.get()),
          "cudnnPoolingForward");
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    EXPECT_EQ(host_floats(dy.get(), 4), want) << "mode " << int(mode);
  }
  cudnnDestroy(handle);
}

// Work enqueued on a stream being captured runs only when the graph is launched, and at every
// launch; a synchronisation inside the capture ends it without a graph.
TEST(CudaSemantics, StreamCapture) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  const DeviceBuffer source = device_floats({1, 2, 3, 4}), target = device_floats({0, 0, 0, 0});
  check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
  check(cudaMemcpyAsync(target.get(), source.get(), 2 * sizeof(float), cudaMemcpyDeviceToDevice,
                        stream),
        "copy");
  check(cudaMemsetAsync(static_cast<float*>(target.get()) + 3, 0, sizeof(float), stream), "memset");
  cudaGraph_t graph = nullptr;
  check(cudaStreamEndCapture(stream, &graph), "cudaStreamEndCapture");
  EXPECT_EQ(host_floats(target.get(), 4), std::vector<float>({0, 0, 0, 0})) << "ran while captured";
  cudaGraphExec_t exec = nullptr;
  check(cudaGraphInstantiate(&exec, graph, 0), "cudaGraphInstantiate");
  check(cudaMemcpy(target.get(), source.get(), 4 * sizeof(float), cudaMemcpyDeviceToDevice),
        "refill");
  check(cudaMemset(target.get(), 0, sizeof(float)), "clear");
  for (int launch = 0; launch < 2; ++launch) {
    check(cudaGraphLaunch(exec, stream), "cudaGraphLaunch");
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    EXPECT_EQ(host_floats(target.get(), 4), std::vector<float>({1, 2, 3, 0}))
        << "launch " << launch;
  }
  check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
  EXPECT_NE(cudaStreamSynchronize(stream), cudaSuccess);
  cudaGraph_t invalid = nullptr;
  EXPECT_NE(cudaStreamEndCapture(stream, &invalid), cudaSuccess);
  EXPECT_EQ(invalid, nullptr);
  cudaGetLastError();
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(stream);
}

}  // namespace
}  // namespace tandem::gpu
