// Geometry of the sliding-window ops (Conv, ConvTranspose, ConvInteger, QLinearConv and the pools):
// attributes read once, output sizes and resolved pads per spatial dimension.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/infer_context.h"
#include "ops/node_context.h"
#include "tandem/shape.h"

namespace tandem::ops {

/// Per spatial dimension: kernel, strides, dilations, and pads (all begins, then all ends).
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;

  size_t rank() const { return kernel.size(); }
  /// The span the dilated kernel covers.
  int64_t extent(size_t i) const { return (kernel[i] - 1) * dilations[i] + 1; }
  int64_t pad_begin(size_t i) const { return pads[i]; }
  int64_t pad_end(size_t i) const { return pads[rank() + i]; }
};

/// Reads strides, dilations, pads, auto_pad (and ceil_mode where the op has it) for `kernel`,
/// checking their lengths and values; throws InvalidModel naming the attribute.
Window read_window(const NodeContext& ctx, std::vector<int64_t> kernel, bool has_ceil_mode,
                   bool has_dilations = true);

/// The output size of a convolution or pool along dimension i for input size `in` (-1: unknown,
/// then -1 comes back). Resolves SAME_UPPER/SAME_LOWER/VALID into `window.pads` when `in` is known.
int64_t window_output_size(const NodeContext& ctx, Window& window, size_t i, int64_t in);

/// Conv's window (ConvInteger and QLinearConv share it) from its attributes and the shapes of X
/// [N, C, spatial...] and W [M, C/group, kernel...]; kernel_shape defaults to W's spatial sizes.
/// Checks ranks, channels and group; `out` gets the output's full shape, -1 where unknown (empty
/// when X's rank is unknown).
Window conv_window(const NodeContext& ctx, const PartialShape& x, const PartialShape& w,
                   std::vector<int64_t>& out);

/// Sizes of a tensor's spatial dimensions (from index 2 on); -1 where unknown.
std::vector<int64_t> spatial_dims(const PartialShape& shape);
/// A partial shape from sizes, -1 meaning unknown.
PartialShape partial_shape(const std::vector<int64_t>& dims);

/// A window of up to three spatial dimensions, padded in front with unit dimensions so that 1-D
/// and 2-D ops run through the same 3-D loops.
struct Window3 {
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, strides{1, 1, 1},
      dilations{1, 1, 1}, pad_begin{0, 0, 0}, pad_end{0, 0, 0};

  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};

/// Throws Unsupported beyond three spatial dimensions.
Window3 to_window3(const NodeContext& ctx, const Window& window, const std::vector<int64_t>& in,
                   const std::vector<int64_t>& out);

}  // namespace tandem::ops
