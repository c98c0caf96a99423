// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point), to uint8 or int8.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant/quant_layout.h"

namespace tandem::ops {
namespace {

// Opset 10 quantises per tensor; 13 adds per-axis (a 1-D scale along `axis`, default 1). The
// output takes the zero point's type, uint8 when it is omitted.
void infer(InferContext& ctx) {
  const ElementType out = ctx.has_input(2) ? ctx.input_type(2) : ElementType::U8;
  if (out != ElementType::U8 && out != ElementType::I8)
    throw ctx.error(ErrorKind::Unsupported, "zero point must be uint8 or int8, got {}",
                    to_string(out));
  ctx.set_output(0, out, ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale_tensor = ctx.input(1);
  const Tensor* zero_point_tensor = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  const QuantLayout layout = quant_layout(ctx, x.shape(), scale_tensor, zero_point_tensor);
  const std::vector<double> scales = scale_tensor.to_double();
  std::vector<int64_t> zero_points(scales.size(), 0);
  if (zero_point_tensor) zero_points = zero_point_tensor->to_int64();
  Tensor& y = ctx.output(0);
  visit_types<kFloat | kSigned>(x.element_type(), [&]<class T>() {
    const T* xs = x.data<T>();
    visit_types<kSigned | kUnsigned>(y.element_type(), [&]<class Q>() {
      Q* ys = y.data<Q>();
      constexpr float lo = float(std::numeric_limits<Q>::min());
      constexpr float hi = float(std::numeric_limits<Q>::max());
      for (int64_t i = 0; i < x.size(); ++i) {
        const int64_t p = layout.index(i);
        // In float, as ONNX Runtime does; nearbyint rounds half to even in the default mode.
        const float q =
            std::nearbyint(float(compute_t<T>(xs[i])) / float(scales[p])) + float(zero_points[p]);
        ys[i] = Q(std::clamp(q, lo, hi));
      }
    });
  });
}

}  // namespace

const OpDef& quantize_linear_op() {
  static const OpDef def{.name = "QuantizeLinear",
                         .domain = "",
                         .versions = {10, 13},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
