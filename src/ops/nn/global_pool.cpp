// GlobalAveragePool, GlobalMaxPool and GlobalLpPool: one value per (N, C) plane.
#include <cmath>
#include <limits>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 22 added bfloat16 to all three.
enum class GlobalKind { Average, Max, Lp };

void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (!x.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  if (x.rank() < 3)
    throw ctx.error(ErrorKind::InvalidModel,
                    "X must have rank 3 or more (N, C, spatial...), got {}", to_string(x));
  std::vector<Dimension> out(x.rank(), Dimension(1));
  out[0] = x[0];
  out[1] = x[1];
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

template <GlobalKind Kind>
void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 3)
    throw ctx.error(ErrorKind::InvalidModel, "X must have rank 3 or more, got {}",
                    to_string(x.shape()));
  const int64_t planes = x.shape()[0] * x.shape()[1];
  const int64_t size = planes ? x.size() / planes : 0;
  // GlobalLpPool: p is a float attribute at opset 1 and an int from opset 2; both read as float.
  const float p = Kind == GlobalKind::Lp ? ctx.attr<float>("p", 2.0f) : 1.0f;
  Tensor& y = ctx.output(0);
  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    auto in = x.span<const T>();
    auto out = y.span<T>();
    for (int64_t plane = 0; plane < planes; ++plane) {
      const T* v = in.data() + plane * size;
      C acc = Kind == GlobalKind::Max ? -std::numeric_limits<C>::infinity() : C(0);
      for (int64_t i = 0; i < size; ++i) {
        const C e = C(v[i]);
        if constexpr (Kind == GlobalKind::Max)
          acc = (e > acc || e != e) && acc == acc ? e : acc;
        else if constexpr (Kind == GlobalKind::Average)
          acc += e;
        else
          acc += C(std::pow(std::abs(e), C(p)));
      }
      if constexpr (Kind == GlobalKind::Average) acc /= C(size);
      if constexpr (Kind == GlobalKind::Lp) acc = C(std::pow(acc, C(1) / C(p)));
      out[size_t(plane)] = T(acc);
    }
  });
}

}  // namespace

const OpDef& global_average_pool_op() {
  static const OpDef def{.name = "GlobalAveragePool",
                         .domain = "",
                         .versions = {1, 22},
                         .infer = infer,
                         .reference = reference<GlobalKind::Average>};
  return def;
}

const OpDef& global_max_pool_op() {
  static const OpDef def{.name = "GlobalMaxPool",
                         .domain = "",
                         .versions = {1, 22},
                         .infer = infer,
                         .reference = reference<GlobalKind::Max>};
  return def;
}

const OpDef& global_lp_pool_op() {
  static const OpDef def{.name = "GlobalLpPool",
                         .domain = "",
                         .versions = {1, 2, 22},
                         .infer = infer,
                         .reference = reference<GlobalKind::Lp>};
  return def;
}

}  // namespace tandem::ops
