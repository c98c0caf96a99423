// Convolution loops shared by Conv, ConvTranspose, ConvInteger and QLinearConv: im2col (col2im for
// the transpose) around the shared GEMM. T: float, double, int32_t (the integer ops shift by their
// zero points into int32 first, so padding reads as zero for every T).
#pragma once

#include <cstdint>

#include "ops/nn/window.h"

namespace tandem::ops {

/// y[N, M, out] = sum over c, k of x[N, group*C/group.., in] * w[M, C/group, kernel], no bias.
template <class T>
void conv_forward(const T* x, const T* w, T* y, int64_t batch, int64_t channels,
                  int64_t out_channels, int64_t group, const Window3& window);

/// The transpose: x[N, C, in], w[C, M/group, kernel], y[N, M, out], no bias. `window.in` is x's
/// spatial size and `window.out` y's; pads trim y.
template <class T>
void conv_transpose_forward(const T* x, const T* w, T* y, int64_t batch, int64_t channels,
                            int64_t out_channels, int64_t group, const Window3& window);

/// Adds bias[m] to every element of channel m of y[N, M, spatial].
template <class T>
void add_channel_bias(T* y, const T* bias, int64_t batch, int64_t channels, int64_t spatial) {
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t m = 0; m < channels; ++m) {
      T* row = y + (n * channels + m) * spatial;
      const T b = bias[m];
      for (int64_t i = 0; i < spatial; ++i) row[i] += b;
    }
}

}  // namespace tandem::ops
