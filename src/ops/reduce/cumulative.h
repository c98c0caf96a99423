// What CumSum and CumProd share: the axis input and the running loop along it.
#pragma once

#include <cstdint>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {

/// The output is the input's type and shape; the axis input must be a scalar or hold one value.
void infer_cumulative(InferContext& ctx);

/// The input seen as [outer, n, inner] around the axis, with the exclusive/reverse attributes.
struct CumulativeLayout {
  int64_t outer = 1, n = 1, inner = 1;
  bool exclusive = false, reverse = false;
};
CumulativeLayout cumulative_layout(const KernelContext& ctx);

/// Writes the running value acc = combine(acc, x), acc starting at `start`, along the axis.
template <class Combine>
void run_cumulative(KernelContext& ctx, int start, Combine combine) {
  const CumulativeLayout l = cumulative_layout(ctx);
  const Tensor& x = ctx.input(0);
  visit_types<kFloat | kInteger>(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = ctx.output(0).data<T>();
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t base = o * l.n * l.inner + i;
        C acc = C(start);
        for (int64_t step = 0; step < l.n; ++step) {
          const int64_t at = base + (l.reverse ? l.n - 1 - step : step) * l.inner;
          const C v = C(xs[at]);
          if (!l.exclusive) acc = combine(acc, v);
          ys[at] = T(acc);
          if (l.exclusive) acc = combine(acc, v);
        }
      }
  });
}

}  // namespace tandem::ops
