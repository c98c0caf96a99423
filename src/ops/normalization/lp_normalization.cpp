// LpNormalization: divide by the L1 or L2 norm along one axis.
#include <cmath>
#include <cstdint>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

// Opset 22 only adds bfloat16.
int64_t norm_order(const NodeContext& ctx) {
  const int64_t p = ctx.attr<int64_t>("p", 2);
  if (p != 1 && p != 2) throw ctx.error(ErrorKind::InvalidModel, "p must be 1 or 2, got {}", p);
  return p;
}

void infer(InferContext& ctx) {
  norm_order(ctx);
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known()) normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), x.rank());
  ctx.set_output(0, ctx.input_type(0), x);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  const int64_t p = norm_order(ctx);
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), shape.size());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t n = shape[axis];
  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = ctx.output(0).data<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * n * inner + i;
        double norm = 0;
        for (int64_t k = 0; k < n; ++k) {
          const double v = double(C(xs[base + k * inner]));
          norm += p == 1 ? std::abs(v) : v * v;
        }
        if (p == 2) norm = std::sqrt(norm);
        // A zero norm gives zeros, as ONNX's reference does, rather than NaN.
        for (int64_t k = 0; k < n; ++k) {
          const int64_t at = base + k * inner;
          ys[at] = T(C(norm == 0 ? 0.0 : double(C(xs[at])) / norm));
        }
      }
  });
}

}  // namespace

const OpDef& lp_normalization_op() {
  static const OpDef def{.name = "LpNormalization",
                         .domain = "",
                         .versions = {1, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
