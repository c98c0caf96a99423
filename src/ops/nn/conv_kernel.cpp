// im2col + GEMM convolution and GEMM + col2im transpose convolution, over three spatial
// dimensions (1-D and 2-D arrive padded with unit dimensions).
#include "ops/nn/conv_kernel.h"

#include <algorithm>
#include <vector>

#include "ops/math/gemm_kernel.h"

namespace tandem::ops {
namespace {

// The range [lo, hi) of o in [0, count) for which o * stride + offset lies in [0, size).
inline void valid_range(int64_t count, int64_t stride, int64_t offset, int64_t size, int64_t& lo,
                        int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  lo = std::min(lo, count);
  hi = std::clamp(hi, lo, count);
}

bool is_pointwise(const Window3& w) {
  for (int i = 0; i < 3; ++i)
    if (w.kernel[i] != 1 || w.strides[i] != 1 || w.pad_begin[i] != 0 || w.pad_end[i] != 0 ||
        w.in[i] != w.out[i])
      return false;
  return true;
}

// col[(c, kd, kh, kw), (od, oh, ow)] = x[c, od*s - p + kd*d, ...], zero outside the input.
template <class T>
void im2col(const T* x, int64_t channels, const Window3& w, T* col) {
  const int64_t cols = w.out_size();
  const auto& in = w.in;
  const auto& out = w.out;
  T* dst = col;
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * w.in_size();
    for (int64_t kd = 0; kd < w.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < w.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < w.kernel[2]; ++kw, dst += cols) {
          const int64_t off_w = kw * w.dilations[2] - w.pad_begin[2];
          int64_t lo, hi;
          valid_range(out[2], w.strides[2], off_w, in[2], lo, hi);
          T* row = dst;
          for (int64_t od = 0; od < out[0]; ++od) {
            const int64_t id = od * w.strides[0] - w.pad_begin[0] + kd * w.dilations[0];
            for (int64_t oh = 0; oh < out[1]; ++oh, row += out[2]) {
              const int64_t ih = oh * w.strides[1] - w.pad_begin[1] + kh * w.dilations[1];
              if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1]) {
                std::fill(row, row + out[2], T(0));
                continue;
              }
              const T* src = xc + (id * in[1] + ih) * in[2];
              std::fill(row, row + lo, T(0));
              if (w.strides[2] == 1)
                std::copy(src + lo + off_w, src + hi + off_w, row + lo);
              else
                for (int64_t ow = lo; ow < hi; ++ow) row[ow] = src[ow * w.strides[2] + off_w];
              std::fill(row + hi, row + out[2], T(0));
            }
          }
        }
  }
}

// y[m, o] += col[(m, kd, kh, kw), i] where o = i*s - p + k*d; the adjoint of im2col.
template <class T>
void col2im_add(const T* col, int64_t channels, const Window3& w, T* y) {
  const int64_t rows_in = w.in_size();
  const auto& in = w.in;
  const auto& out = w.out;
  const T* src = col;
  for (int64_t m = 0; m < channels; ++m) {
    T* ym = y + m * w.out_size();
    for (int64_t kd = 0; kd < w.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < w.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < w.kernel[2]; ++kw, src += rows_in) {
          const int64_t off_w = kw * w.dilations[2] - w.pad_begin[2];
          int64_t lo, hi;
          valid_range(in[2], w.strides[2], off_w, out[2], lo, hi);
          for (int64_t id = 0; id < in[0]; ++id) {
            const int64_t od = id * w.strides[0] - w.pad_begin[0] + kd * w.dilations[0];
            if (od < 0 || od >= out[0]) continue;
            for (int64_t ih = 0; ih < in[1]; ++ih) {
              const int64_t oh = ih * w.strides[1] - w.pad_begin[1] + kh * w.dilations[1];
              if (oh < 0 || oh >= out[1]) continue;
              const T* s = src + (id * in[1] + ih) * in[2];
              T* d = ym + (od * out[1] + oh) * out[2];
              for (int64_t iw = lo; iw < hi; ++iw) d[iw * w.strides[2] + off_w] += s[iw];
            }
          }
        }
  }
}

}  // namespace

template <class T>
void conv_forward(const T* x, const T* w, T* y, int64_t batch, int64_t channels,
                  int64_t out_channels, int64_t group, const Window3& window) {
  const int64_t cg = channels / group, mg = out_channels / group;
  const int64_t k = cg * window.kernel_size(), cols = window.out_size();
  const bool pointwise = is_pointwise(window);
  std::vector<T> col(pointwise ? 0 : size_t(k * cols));
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t g = 0; g < group; ++g) {
      const T* xg = x + (n * channels + g * cg) * window.in_size();
      const T* b = xg;
      if (!pointwise) {
        im2col(xg, cg, window, col.data());
        b = col.data();
      }
      gemm<T>(false, false, mg, cols, k, T(1), w + g * mg * k, k, b, cols, T(0),
              y + (n * out_channels + g * mg) * cols, cols);
    }
}

template <class T>
void conv_transpose_forward(const T* x, const T* w, T* y, int64_t batch, int64_t channels,
                            int64_t out_channels, int64_t group, const Window3& window) {
  const int64_t cg = channels / group, mg = out_channels / group;
  const int64_t rows = mg * window.kernel_size(), cols = window.in_size();
  std::vector<T> col(size_t(rows * cols));
  std::fill(y, y + batch * out_channels * window.out_size(), T(0));
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t g = 0; g < group; ++g) {
      const T* xg = x + (n * channels + g * cg) * cols;
      gemm<T>(true, false, rows, cols, cg, T(1), w + g * cg * rows, rows, xg, cols, T(0),
              col.data(), cols);
      col2im_add(col.data(), mg, window, y + (n * out_channels + g * mg) * window.out_size());
    }
}

template void conv_forward<float>(const float*, const float*, float*, int64_t, int64_t, int64_t,
                                  int64_t, const Window3&);
template void conv_forward<double>(const double*, const double*, double*, int64_t, int64_t, int64_t,
                                   int64_t, const Window3&);
template void conv_forward<int32_t>(const int32_t*, const int32_t*, int32_t*, int64_t, int64_t,
                                    int64_t, int64_t, const Window3&);
template void conv_transpose_forward<float>(const float*, const float*, float*, int64_t, int64_t,
                                            int64_t, int64_t, const Window3&);
template void conv_transpose_forward<double>(const double*, const double*, double*, int64_t,
                                             int64_t, int64_t, int64_t, const Window3&);
template void conv_transpose_forward<int32_t>(const int32_t*, const int32_t*, int32_t*, int64_t,
                                              int64_t, int64_t, int64_t, const Window3&);

}  // namespace tandem::ops
