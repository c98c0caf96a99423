// DeformConv: convolution whose kernel taps are displaced by learned offsets (sampled with
// n-linear interpolation, zero outside the input) and optionally scaled by a mask, any number of
// spatial dimensions.
#include <cmath>
#include <vector>

#include "ops/dispatch.h"
#include "ops/math/gemm_kernel.h"
#include "ops/nn/conv_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 22 only added bfloat16. Inputs: X [N, C, spatial...], W [M, C/group, kernel...], offset
// [N, offset_group * K * n, out...] (K taps per kernel, n spatial dimensions; per tap the n
// displacements), optional B [M] and mask [N, offset_group * K, out...]. As in ONNX's reference
// (GridSample with align_corners=1), a tap at a fractional position interpolates its 2^n integer
// neighbours and neighbours outside the input read as zero.
struct Geometry {
  Window window;
  std::vector<int64_t> out;  // full output shape, -1 where unknown; empty: unknown rank
  int64_t offset_group = 1;
};

int64_t kernel_taps(const Window& w) {
  int64_t taps = 1;
  for (int64_t k : w.kernel) taps *= k;
  return taps;
}

void check_dim(const NodeContext& ctx, const char* name, const PartialShape& shape, size_t axis,
               int64_t expected) {
  if (!shape.rank_known() || expected < 0 || !shape[axis].is_static()) return;
  if (shape[axis].value != expected)
    throw ctx.error(ErrorKind::InvalidModel, "{} has shape {}, expected {} in dimension {}", name,
                    to_string(shape), expected, axis);
}

Geometry geometry(const NodeContext& ctx, const PartialShape& x, const PartialShape& w,
                  const PartialShape& offset, const PartialShape* mask) {
  Geometry g;
  g.window = conv_window(ctx, x, w, g.out);
  g.offset_group = ctx.attr<int64_t>("offset_group", 1);
  if (g.offset_group <= 0)
    throw ctx.error(ErrorKind::InvalidModel, "offset_group must be positive, got {}",
                    g.offset_group);
  if (x.rank_known() && x[1].is_static() && x[1].value % g.offset_group != 0)
    throw ctx.error(ErrorKind::InvalidModel, "X's {} channels do not divide into {} offset groups",
                    x[1].value, g.offset_group);
  if (g.out.empty()) return g;
  const size_t rank = g.out.size();
  for (const auto& [name, shape] :
       {std::pair<const char*, const PartialShape*>{"offset", &offset}, {"mask", mask}}) {
    if (!shape || !shape->rank_known()) continue;
    if (shape->rank() != rank)
      throw ctx.error(ErrorKind::InvalidModel, "{} has shape {}, expected rank {}", name,
                      to_string(*shape), rank);
    check_dim(ctx, name, *shape, 0, g.out[0]);
    for (size_t i = 2; i < rank; ++i) check_dim(ctx, name, *shape, i, g.out[i]);
  }
  if (g.window.rank() == 0) return g;
  const int64_t taps = g.offset_group * kernel_taps(g.window);
  check_dim(ctx, "offset", offset, 1, taps * int64_t(rank - 2));
  if (mask) check_dim(ctx, "mask", *mask, 1, taps);
  return g;
}

void infer(InferContext& ctx) {
  const Geometry g = geometry(ctx, ctx.input_shape(0), ctx.input_shape(1), ctx.input_shape(2),
                              ctx.has_input(4) ? &ctx.input_shape(4) : nullptr);
  ctx.set_output(0, ctx.input_type(0), g.out.empty() ? PartialShape() : partial_shape(g.out));
}

// The value of plane (spatial sizes `in`, row-major) at the fractional position `pos`.
template <class T>
T interpolate(const T* plane, const std::vector<int64_t>& in, const std::vector<T>& pos,
              std::vector<int64_t>& lo, std::vector<T>& frac) {
  const size_t n = in.size();
  for (size_t d = 0; d < n; ++d) {
    const T f = std::floor(pos[d]);
    // Both neighbours outside: the tap reads zero (also keeps the casts below in range).
    if (!(f >= T(-1) && f < T(in[d]))) return T(0);
    lo[d] = int64_t(f);
    frac[d] = pos[d] - f;
  }
  T sum = T(0);
  for (unsigned corner = 0; corner < (1u << n); ++corner) {
    T weight = T(1);
    int64_t index = 0;
    bool inside = true;
    for (size_t d = 0; d < n && inside; ++d) {
      const bool upper = (corner >> d) & 1u;
      const int64_t i = lo[d] + (upper ? 1 : 0);
      inside = i >= 0 && i < in[d];
      weight *= upper ? frac[d] : T(1) - frac[d];
      index = index * in[d] + i;
    }
    if (inside && weight != T(0)) sum += weight * plane[index];
  }
  return sum;
}

// col[(c, k), o] for one image: the masked, interpolated input under tap k at output position o.
template <class T>
void deformed_columns(const T* x, const T* offset, const T* mask, int64_t channels,
                      int64_t offset_group, const Window& w, const std::vector<int64_t>& in,
                      const std::vector<int64_t>& out, T* col) {
  const size_t n = in.size();
  int64_t in_size = 1, out_size = 1;
  for (size_t d = 0; d < n; ++d) {
    in_size *= in[d];
    out_size *= out[d];
  }
  const int64_t taps = kernel_taps(w), per_group = channels / offset_group;
  std::vector<int64_t> k_idx(n), o_idx(n), lo(n);
  std::vector<T> pos(n), frac(n);
  for (int64_t c = 0; c < channels; ++c) {
    const int64_t og = c / per_group;
    const T* plane = x + c * in_size;
    std::fill(k_idx.begin(), k_idx.end(), 0);
    for (int64_t k = 0; k < taps; ++k) {
      const T* off = offset + (og * taps + k) * int64_t(n) * out_size;
      const T* m = mask ? mask + (og * taps + k) * out_size : nullptr;
      T* row = col + (c * taps + k) * out_size;
      std::fill(o_idx.begin(), o_idx.end(), 0);
      for (int64_t o = 0; o < out_size; ++o) {
        for (size_t d = 0; d < n; ++d)
          pos[d] = T(o_idx[d] * w.strides[d] - w.pad_begin(d) + k_idx[d] * w.dilations[d]) +
                   off[int64_t(d) * out_size + o];
        const T v = interpolate(plane, in, pos, lo, frac);
        row[o] = m ? v * m[o] : v;
        for (size_t d = n; d-- > 0;) {
          if (++o_idx[d] < out[d]) break;
          o_idx[d] = 0;
        }
      }
      for (size_t d = n; d-- > 0;) {
        if (++k_idx[d] < w.kernel[d]) break;
        k_idx[d] = 0;
      }
    }
  }
}

template <class T>
void deform_conv_forward(const T* x, const T* w, const T* offset, const T* mask, T* y,
                         const Shape& x_shape, int64_t out_channels, int64_t group,
                         int64_t offset_group, const Window& window,
                         const std::vector<int64_t>& out) {
  const int64_t batch = x_shape[0], channels = x_shape[1];
  const std::vector<int64_t> in(x_shape.begin() + 2, x_shape.end());
  int64_t in_size = 1, out_size = 1;
  for (size_t d = 0; d < in.size(); ++d) {
    in_size *= in[d];
    out_size *= out[d];
  }
  const int64_t taps = kernel_taps(window), n = int64_t(in.size());
  const int64_t cg = channels / group, mg = out_channels / group, k = cg * taps;
  std::vector<T> col(size_t(channels * taps * out_size));
  for (int64_t b = 0; b < batch; ++b) {
    deformed_columns(x + b * channels * in_size, offset + b * offset_group * taps * n * out_size,
                     mask ? mask + b * offset_group * taps * out_size : nullptr, channels,
                     offset_group, window, in, out, col.data());
    for (int64_t g = 0; g < group; ++g)
      gemm<T>(false, false, mg, out_size, k, T(1), w + g * mg * k, k, col.data() + g * k * out_size,
              out_size, T(0), y + (b * out_channels + g * mg) * out_size, out_size);
  }
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& offset = ctx.input(2);
  const Tensor* bias = ctx.has_input(3) ? &ctx.input(3) : nullptr;
  const Tensor* mask = ctx.has_input(4) ? &ctx.input(4) : nullptr;
  for (const Tensor* t : {&w, &offset, bias, mask})
    if (t && t->element_type() != x.element_type())
      throw ctx.error(ErrorKind::InvalidModel, "all inputs must share X's type {}, got {}",
                      to_string(x.element_type()), to_string(t->element_type()));
  const PartialShape mask_shape = mask ? PartialShape(mask->shape()) : PartialShape();
  Geometry g = geometry(ctx, PartialShape(x.shape()), PartialShape(w.shape()),
                        PartialShape(offset.shape()), mask ? &mask_shape : nullptr);
  const int64_t out_channels = w.shape()[0], group = ctx.attr<int64_t>("group", 1);
  if (bias && (bias->rank() != 1 || bias->shape()[0] != out_channels))
    throw ctx.error(ErrorKind::InvalidModel, "B has shape {}, expected [{}]",
                    to_string(bias->shape()), out_channels);
  const std::vector<int64_t> out(g.out.begin() + 2, g.out.end());
  int64_t out_size = 1;
  for (int64_t d : out) out_size *= d;
  const int64_t batch = x.shape()[0];
  Tensor& y = ctx.output(0);
  visit_float(x.element_type(), [&]<class T>() {
    if constexpr (is_half_v<T>) {
      std::vector<float> xf = widen(x.span<const T>()), wf = widen(w.span<const T>()),
                         of = widen(offset.span<const T>()), yf(size_t(y.size()));
      std::vector<float> mf = mask ? widen(mask->span<const T>()) : std::vector<float>();
      deform_conv_forward<float>(xf.data(), wf.data(), of.data(), mask ? mf.data() : nullptr,
                                 yf.data(), x.shape(), out_channels, group, g.offset_group,
                                 g.window, out);
      if (bias) {
        std::vector<float> bf = widen(bias->span<const T>());
        add_channel_bias(yf.data(), bf.data(), batch, out_channels, out_size);
      }
      narrow(yf, y.span<T>());
    } else {
      deform_conv_forward<T>(x.data<T>(), w.data<T>(), offset.data<T>(),
                             mask ? mask->data<T>() : nullptr, y.data<T>(), x.shape(), out_channels,
                             group, g.offset_group, g.window, out);
      if (bias) add_channel_bias(y.data<T>(), bias->data<T>(), batch, out_channels, out_size);
    }
  });
}

}  // namespace

const OpDef& deform_conv_op() {
  static const OpDef def{.name = "DeformConv",
                         .domain = "",
                         .versions = {19, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
