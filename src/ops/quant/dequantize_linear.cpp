// DequantizeLinear: y = (x - zero_point) * scale, as float.
#include <cstdint>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant/quant_layout.h"

namespace tandem::ops {
namespace {

// Opset 10 dequantises per tensor; 13 adds per-axis (a 1-D scale along `axis`, default 1).
// An int32 input (a quantised bias) has no zero point, or a zero one.
void infer(InferContext& ctx) {
  const ElementType x = ctx.input_type(0);
  if (x != ElementType::U8 && x != ElementType::I8 && x != ElementType::I32)
    throw ctx.error(ErrorKind::Unsupported, "input must be uint8, int8 or int32, got {}",
                    to_string(x));
  if (ctx.has_input(2) && ctx.input_type(2) != x)
    throw ctx.error(ErrorKind::InvalidModel, "zero point type {} differs from input type {}",
                    to_string(ctx.input_type(2)), to_string(x));
  ctx.set_output(0, ctx.input_type(1), ctx.input_shape(0));
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
  visit_types<kSigned | kUnsigned>(x.element_type(), [&]<class Q>() {
    const Q* xs = x.data<Q>();
    visit_float(y.element_type(), [&]<class T>() {
      T* ys = y.data<T>();
      for (int64_t i = 0; i < x.size(); ++i) {
        const int64_t p = layout.index(i);
        ys[i] = T(compute_t<T>(float(int64_t(xs[i]) - zero_points[p]) * float(scales[p])));
      }
    });
  });
}

}  // namespace

const OpDef& dequantize_linear_op() {
  static const OpDef def{.name = "DequantizeLinear",
                         .domain = "",
                         .versions = {10, 13},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
