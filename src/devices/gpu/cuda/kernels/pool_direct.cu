#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/pool_direct.h"
#include "devices/gpu/cuda/kernels/storage.cuh"

namespace tandem::gpu {
namespace {

// The taps [lo, hi) of a window starting at `start` that land in an input of `size`, and how
// many land in the input or its pads (`pad_end` after it).
struct Taps {
  int lo, hi, padded;
};

__device__ __forceinline__ Taps taps(int start, int window, int size, int pad_end) {
  Taps t;
  t.lo = min(window, max(0, -start));
  t.hi = max(t.lo, min(window, size - start));
  t.padded = max(0, min(window, size + pad_end - start));
  return t;
}

template <class T>
__global__ void direct_pool_kernel(DirectPool p, const T* x, T* y, int64_t count) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i;
    int c, ow, oh;
    if (p.channels_last) {
      c = int(rest % p.c), rest /= p.c;
      ow = int(rest % p.out_w), rest /= p.out_w;
      oh = int(rest % p.out_h), rest /= p.out_h;
    } else {
      ow = int(rest % p.out_w), rest /= p.out_w;
      oh = int(rest % p.out_h), rest /= p.out_h;
      c = int(rest % p.c), rest /= p.c;
    }
    const int64_t n = rest;
    const int h0 = oh * p.stride_h - p.pad_top, w0 = ow * p.stride_w - p.pad_left;
    const Taps th = taps(h0, p.window_h, p.in_h, p.pad_bottom), tw = taps(w0, p.window_w, p.in_w, p.pad_right);
    float acc = 0.0f;
    bool any = false;
    for (int kh = th.lo; kh < th.hi; ++kh)
      for (int kw = tw.lo; kw < tw.hi; ++kw) {
        const int64_t h = h0 + kh, w = w0 + kw;
        const int64_t at = p.channels_last ? ((n * p.in_h + h) * p.in_w + w) * p.c + c
                                           : ((n * p.c + c) * p.in_h + h) * p.in_w + w;
        const float v = to_float(x[at]);
        if (!p.max)
          acc += v;
        else if (!any || v > acc || (v != v && acc == acc))  // NaN wins, as in the reference
          acc = v;
        any = true;
      }
    if (!p.max) {
      const int taken = p.include_pad ? th.padded * tw.padded : (th.hi - th.lo) * (tw.hi - tw.lo);
      acc = taken > 0 ? acc / float(taken) : 0.0f;
    }
    y[i] = from_float<T>(acc);
  }
}

}  // namespace

void launch_direct_pool(const DirectPool& p, const void* x, void* y, cudaStream_t stream) {
  const int64_t count = int64_t(p.n) * p.c * p.out_h * p.out_w;
  if (count == 0) return;
  with_float_type(p.type, "GPU pooling", [&](auto tag) {
    using T = typename decltype(tag)::type;
    direct_pool_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(p, static_cast<const T*>(x), static_cast<T*>(y),
                                                                       count);
  });
  check_launch("direct_pool");
}

}  // namespace tandem::gpu
