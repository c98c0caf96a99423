// Our own 2-D max and average pooling, for the pools cuDNN refuses (its pooling has no ceil mode
// and pads both ends alike, and a cuDNN may check the output's size against its own): one thread
// per output element, each window clipped to the input as the reference clips it. Plain
// declarations, so that pool.cpp needs no device code.
#pragma once

#include <cuda_runtime.h>

#include "tandem/element_type.h"

namespace tandem::gpu {

struct DirectPool {
  ElementType type = ElementType::F32;  // X's and Y's storage: f32, f16 or bf16
  bool max = true;                      // else the average
  bool include_pad = false;             // the average divides by the window clipped to the pads
  bool channels_last = false;           // X and Y laid out [N, H, W, C]
  int n = 0, c = 0, in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int window_h = 1, window_w = 1, stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

/// Enqueues Y = pool(X) on `stream`. Throws Error on a launch failure.
void launch_direct_pool(const DirectPool& pool, const void* x, void* y, cudaStream_t stream);

}  // namespace tandem::gpu
