// The sliding-window pools (MaxPool, AveragePool, LpPool) over up to three spatial dimensions.
#pragma once

#include <cstdint>
#include <vector>

#include "ops/nn/window.h"
#include "tandem/tensor.h"

namespace tandem::ops {

enum class PoolKind { Max, Average, Lp };

struct PoolOptions {
  PoolKind kind = PoolKind::Max;
  bool count_include_pad = false;  // Average: divide by the window clipped to the padded input
  float p = 2;                     // Lp
  bool column_major = false;       // Max indices: storage_order 1
};

/// Reads kernel_shape (required), strides, pads, auto_pad and, where the op has them, ceil_mode and
/// dilations (refusing them where the op's version lacks them); checks X's rank. `out` gets the
/// output's full shape (-1 unknown; empty when X's rank is unknown).
Window pool_window(const NodeContext& ctx, const PartialShape& x, bool has_ceil_mode,
                   bool has_dilations, std::vector<int64_t>& out);

/// Pools `planes` (N*C) planes of x into y; for Max, `indices` (may be null) gets the flat index
/// into x of each maximum. T: float, double, int8_t, uint8_t (Max only), float16/bfloat16 stored
/// types go through float by the caller.
template <class T>
void pool_forward(const T* x, T* y, int64_t* indices, int64_t planes, const Window3& window,
                  const PoolOptions& options);

/// pool_forward over X's element type (float types; int8/uint8 too where `allow_8bit`), the half
/// types through float; y is allocated by the caller with the output shape.
void run_pool(const NodeContext& ctx, const Tensor& x, Tensor& y, int64_t* indices,
              const Window3& window, const PoolOptions& options, bool allow_8bit);

}  // namespace tandem::ops
