// Sliding-window geometry shared by the convolutions and pools.
#include "ops/nn/window.h"

#include <algorithm>

namespace tandem::ops {

Window read_window(const NodeContext& ctx, std::vector<int64_t> kernel, bool has_ceil_mode,
                   bool has_dilations) {
  Window w;
  const size_t n = kernel.size();
  w.kernel = std::move(kernel);
  for (size_t i = 0; i < n; ++i)
    if (w.kernel[i] <= 0)
      throw ctx.error(ErrorKind::InvalidModel, "kernel_shape must be positive, got {}", w.kernel);
  auto read = [&](const char* name, size_t count, int64_t fallback) {
    auto v = ctx.attr<std::vector<int64_t>>(name, std::vector<int64_t>(count, fallback));
    if (v.size() != count)
      throw ctx.error(ErrorKind::InvalidModel, "attribute '{}' has {} values, expected {}", name,
                      v.size(), count);
    return v;
  };
  w.strides = read("strides", n, 1);
  w.dilations = has_dilations ? read("dilations", n, 1) : std::vector<int64_t>(n, 1);
  w.pads = read("pads", 2 * n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (w.strides[i] <= 0)
      throw ctx.error(ErrorKind::InvalidModel, "strides must be positive, got {}", w.strides);
    if (w.dilations[i] <= 0)
      throw ctx.error(ErrorKind::InvalidModel, "dilations must be positive, got {}", w.dilations);
  }
  for (int64_t p : w.pads)
    if (p < 0)
      throw ctx.error(ErrorKind::InvalidModel, "pads must not be negative, got {}", w.pads);
  w.auto_pad = ctx.attr<std::string>("auto_pad", "NOTSET");
  if (w.auto_pad != "NOTSET" && w.auto_pad != "SAME_UPPER" && w.auto_pad != "SAME_LOWER" &&
      w.auto_pad != "VALID")
    throw ctx.error(ErrorKind::InvalidModel, "unknown auto_pad '{}'", w.auto_pad);
  if (has_ceil_mode) w.ceil_mode = ctx.attr<int64_t>("ceil_mode", 0) != 0;
  return w;
}

int64_t window_output_size(const NodeContext& ctx, Window& w, size_t i, int64_t in) {
  if (in < 0) return -1;
  const int64_t s = w.strides[i], extent = w.extent(i);
  const size_t n = w.rank();
  if (w.auto_pad == "VALID") {
    w.pads[i] = w.pads[n + i] = 0;
    return in >= extent ? (in - extent) / s + 1 : 0;
  }
  if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") {
    const int64_t out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + extent - in);
    const int64_t small = total / 2, large = total - small;
    w.pads[i] = w.auto_pad == "SAME_UPPER" ? small : large;
    w.pads[n + i] = w.auto_pad == "SAME_UPPER" ? large : small;
    return out;
  }
  const int64_t span = in + w.pads[i] + w.pads[n + i] - extent;
  if (span < 0)
    throw ctx.error(
        ErrorKind::InvalidModel,
        "spatial dimension {} of size {} (padded by {}+{}) is smaller than the window {}", i, in,
        w.pads[i], w.pads[n + i], extent);
  if (!w.ceil_mode) return span / s + 1;
  int64_t out = (span + s - 1) / s + 1;
  // The last window must start inside the input or its begin padding (PyTorch's rule).
  if ((out - 1) * s >= in + w.pads[i]) --out;
  return out;
}

Window conv_window(const NodeContext& ctx, const PartialShape& x, const PartialShape& w,
                   std::vector<int64_t>& out) {
  out.clear();
  const int64_t group = ctx.attr<int64_t>("group", 1);
  if (group <= 0) throw ctx.error(ErrorKind::InvalidModel, "group must be positive, got {}", group);
  if (!x.rank_known() && !w.rank_known() && !ctx.has_attr("kernel_shape")) return Window{};
  size_t rank = x.rank_known() ? x.rank() : w.rank();
  std::vector<int64_t> kernel;
  if (ctx.has_attr("kernel_shape")) {
    kernel = ctx.attr<std::vector<int64_t>>("kernel_shape");
    rank = kernel.size() + 2;
  }
  if (rank < 3)
    throw ctx.error(ErrorKind::InvalidModel,
                    "X must have rank 3 or more (N, C, spatial...), got {}", to_string(x));
  if (x.rank_known() && x.rank() != rank)
    throw ctx.error(ErrorKind::InvalidModel, "X has shape {}, expected rank {}", to_string(x),
                    rank);
  if (w.rank_known() && w.rank() != rank)
    throw ctx.error(ErrorKind::InvalidModel, "W has shape {}, expected rank {} like X",
                    to_string(w), rank);
  auto dim = [](const PartialShape& s, size_t i) -> int64_t {
    return s.rank_known() ? s[i].value : -1;
  };
  if (kernel.empty()) {
    for (size_t i = 2; i < rank; ++i) kernel.push_back(dim(w, i));
  } else {
    for (size_t i = 2; i < rank; ++i)
      if (dim(w, i) >= 0 && dim(w, i) != kernel[i - 2])
        throw ctx.error(ErrorKind::InvalidModel, "kernel_shape {} does not match W's shape {}",
                        kernel, to_string(w));
  }
  const int64_t c = dim(x, 1), wc = dim(w, 1), m = dim(w, 0);
  if (c >= 0 && wc >= 0 && c != wc * group)
    throw ctx.error(ErrorKind::InvalidModel,
                    "X has {} channels but W {} expects {} (W's dim 1 times group {})", c,
                    to_string(w), wc * group, group);
  if (m >= 0 && m % group != 0)
    throw ctx.error(ErrorKind::InvalidModel, "W's {} output channels do not divide into {} groups",
                    m, group);
  out = {dim(x, 0), m};
  bool kernel_known = std::all_of(kernel.begin(), kernel.end(), [](int64_t k) { return k >= 0; });
  if (!kernel_known) {
    out.resize(rank, -1);
    return Window{};
  }
  Window window = read_window(ctx, kernel, false);
  for (size_t i = 0; i < rank - 2; ++i)
    out.push_back(window_output_size(ctx, window, i, dim(x, i + 2)));
  return window;
}

std::vector<int64_t> spatial_dims(const PartialShape& shape) {
  std::vector<int64_t> dims;
  for (size_t i = 2; i < shape.rank(); ++i) dims.push_back(shape[i].value);
  return dims;
}

PartialShape partial_shape(const std::vector<int64_t>& dims) {
  std::vector<Dimension> out;
  for (int64_t d : dims) out.push_back(d >= 0 ? Dimension(d) : Dimension());
  return PartialShape(std::move(out));
}

Window3 to_window3(const NodeContext& ctx, const Window& window, const std::vector<int64_t>& in,
                   const std::vector<int64_t>& out) {
  const size_t n = window.rank();
  if (n > 3)
    throw ctx.error(ErrorKind::Unsupported, "{} spatial dimensions; at most 3 are supported", n);
  Window3 w;
  for (size_t i = 0; i < n; ++i) {
    const size_t d = 3 - n + i;
    w.in[d] = in[i];
    w.out[d] = out[i];
    w.kernel[d] = window.kernel[i];
    w.strides[d] = window.strides[i];
    w.dilations[d] = window.dilations[i];
    w.pad_begin[d] = window.pad_begin(i);
    w.pad_end[d] = window.pad_end(i);
  }
  return w;
}

}  // namespace tandem::ops
