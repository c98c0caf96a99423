// Sliding-window pooling loops with the window clipped per dimension once per output position.
#include "ops/nn/pool_kernel.h"

#include <cmath>
#include <limits>

#include "ops/dispatch.h"

namespace tandem::ops {
namespace {

// Along one dimension, the window of output o covers positions start + k*dilation, k in [0, K).
struct Span {
  int64_t start, lo, hi;  // taps [lo, hi) land inside the input
  int64_t padded;         // taps that land inside the input or its pads
};

inline int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

inline Span span_of(const Window3& w, int d, int64_t o) {
  Span s;
  s.start = o * w.strides[d] - w.pad_begin[d];
  const int64_t k = w.kernel[d], dil = w.dilations[d];
  s.lo = std::min(k, ceil_div(-s.start, dil));
  s.hi = std::max(s.lo, std::min(k, ceil_div(w.in[d] - s.start, dil)));
  s.padded = std::min(k, ceil_div(w.in[d] + w.pad_end[d] - s.start, dil));
  return s;
}

}  // namespace

Window pool_window(const NodeContext& ctx, const PartialShape& x, bool has_ceil_mode,
                   bool has_dilations, std::vector<int64_t>& out) {
  out.clear();
  // An attribute the op's version does not have would be silently ignored: refuse it instead.
  for (auto [name, has] : {std::pair{"ceil_mode", has_ceil_mode}, {"dilations", has_dilations}})
    if (!has && ctx.has_attr(name))
      throw ctx.error(ErrorKind::InvalidModel, "attribute '{}' is not defined at opset {}", name,
                      ctx.opset());
  const auto kernel = ctx.attr<std::vector<int64_t>>("kernel_shape");
  Window window = read_window(ctx, kernel, has_ceil_mode, has_dilations);
  if (!x.rank_known()) return window;
  if (x.rank() != kernel.size() + 2)
    throw ctx.error(ErrorKind::InvalidModel, "X has shape {}, expected rank {} for kernel_shape {}",
                    to_string(x), kernel.size() + 2, kernel);
  out = {x[0].value, x[1].value};
  for (size_t i = 0; i < kernel.size(); ++i)
    out.push_back(window_output_size(ctx, window, i, x[i + 2].value));
  return window;
}

template <class T>
void pool_forward(const T* x, T* y, int64_t* indices, int64_t planes, const Window3& w,
                  const PoolOptions& opt) {
  using C = compute_t<T>;
  const int64_t in_size = w.in_size();
  const auto& in = w.in;
  for (int64_t plane = 0; plane < planes; ++plane) {
    const T* xp = x + plane * in_size;
    for (int64_t od = 0; od < w.out[0]; ++od) {
      const Span sd = span_of(w, 0, od);
      for (int64_t oh = 0; oh < w.out[1]; ++oh) {
        const Span sh = span_of(w, 1, oh);
        for (int64_t ow = 0; ow < w.out[2]; ++ow, ++y) {
          const Span sw = span_of(w, 2, ow);
          if (opt.kind == PoolKind::Max) {
            C best = std::numeric_limits<C>::lowest();
            int64_t best_index = -1;
            for (int64_t kd = sd.lo; kd < sd.hi; ++kd) {
              const int64_t id = sd.start + kd * w.dilations[0];
              for (int64_t kh = sh.lo; kh < sh.hi; ++kh) {
                const int64_t ih = sh.start + kh * w.dilations[1];
                const T* row = xp + (id * in[1] + ih) * in[2];
                for (int64_t kw = sw.lo; kw < sw.hi; ++kw) {
                  const int64_t iw = sw.start + kw * w.dilations[2];
                  const C v = C(row[iw]);
                  // NaN wins, as in numpy's max.
                  if (best_index < 0 || v > best || (v != v && best == best)) {
                    best = v;
                    best_index = opt.column_major ? id + ih * in[0] + iw * in[0] * in[1]
                                                  : (id * in[1] + ih) * in[2] + iw;
                  }
                }
              }
            }
            *y = best_index < 0 ? T(C(0)) : T(best);
            if (indices) *indices++ = best_index < 0 ? -1 : plane * in_size + best_index;
            continue;
          }
          C acc = C(0);
          for (int64_t kd = sd.lo; kd < sd.hi; ++kd) {
            const int64_t id = sd.start + kd * w.dilations[0];
            for (int64_t kh = sh.lo; kh < sh.hi; ++kh) {
              const int64_t ih = sh.start + kh * w.dilations[1];
              const T* row = xp + (id * in[1] + ih) * in[2];
              for (int64_t kw = sw.lo; kw < sw.hi; ++kw) {
                const C v = C(row[sw.start + kw * w.dilations[2]]);
                if (opt.kind == PoolKind::Average)
                  acc += v;
                else
                  acc += C(std::pow(std::abs(v), C(opt.p)));
              }
            }
          }
          if (opt.kind == PoolKind::Lp) {
            *y = T(C(std::pow(acc, C(1) / C(opt.p))));
            continue;
          }
          const int64_t count = opt.count_include_pad
                                    ? sd.padded * sh.padded * sw.padded
                                    : (sd.hi - sd.lo) * (sh.hi - sh.lo) * (sw.hi - sw.lo);
          *y = count > 0 ? T(C(acc / C(count))) : T(C(0));
        }
      }
    }
  }
}

void run_pool(const NodeContext& ctx, const Tensor& x, Tensor& y, int64_t* indices,
              const Window3& window, const PoolOptions& options, bool allow_8bit) {
  const int64_t planes = x.shape()[0] * x.shape()[1];
  if (allow_8bit && x.element_type() == ElementType::I8)
    return pool_forward<int8_t>(x.data<int8_t>(), y.data<int8_t>(), indices, planes, window,
                                options);
  if (allow_8bit && x.element_type() == ElementType::U8)
    return pool_forward<uint8_t>(x.data<uint8_t>(), y.data<uint8_t>(), indices, planes, window,
                                 options);
  const ElementType type = x.element_type();
  if (type != ElementType::F32 && type != ElementType::F64 && type != ElementType::F16 &&
      type != ElementType::BF16)
    throw ctx.error(ErrorKind::Unsupported, "X of type {} is not supported", to_string(type));
  visit_float(type, [&]<class T>() {
    if constexpr (is_half_v<T>) {
      auto xs = x.span<const T>();
      std::vector<float> xf(xs.begin(), xs.end()), yf(size_t(y.size()));
      pool_forward<float>(xf.data(), yf.data(), indices, planes, window, options);
      auto ys = y.span<T>();
      for (size_t i = 0; i < ys.size(); ++i) ys[i] = T(yf[i]);
    } else {
      pool_forward<T>(x.data<T>(), y.data<T>(), indices, planes, window, options);
    }
  });
}

template void pool_forward<float>(const float*, float*, int64_t*, int64_t, const Window3&,
                                  const PoolOptions&);
template void pool_forward<double>(const double*, double*, int64_t*, int64_t, const Window3&,
                                   const PoolOptions&);
template void pool_forward<int8_t>(const int8_t*, int8_t*, int64_t*, int64_t, const Window3&,
                                   const PoolOptions&);
template void pool_forward<uint8_t>(const uint8_t*, uint8_t*, int64_t*, int64_t, const Window3&,
                                    const PoolOptions&);

}  // namespace tandem::ops
