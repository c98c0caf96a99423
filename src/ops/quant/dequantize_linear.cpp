// DequantizeLinear: y = (x - zero_point) * scale, in float.
#include <cstdint>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant/quant_layout.h"

namespace tandem::ops {
namespace {

// Versions: 10 dequantises per tensor from uint8, int8 or int32 (a quantised bias, with no or a
// zero zero point); 13 adds per axis (a 1-D scale along `axis`, default 1); 19 adds float16 and
// bfloat16 scales and the float8 inputs; 21 int16/uint16/int4/uint4 inputs and blocked
// quantisation (`block_size`); 23 float4e2m1 and `output_dtype` (else the scale's type); 24
// float8e8m0 scales; 25 int2/uint2; 28 float6e2m3/float6e3m2.
ElementType output_type(const NodeContext& ctx, ElementType scale) {
  using E = ElementType;
  const auto dtype = ctx.opset() >= 23 ? E(ctx.attr<int64_t>("output_dtype", 0)) : E::Undefined;
  const ElementType out = dtype != E::Undefined ? dtype : scale;
  if (!is_one_of(out, {E::F32, E::F16, E::BF16}))
    throw ctx.error(ErrorKind::InvalidModel, "output must be float, float16 or bfloat16, got {}{}",
                    to_string(out), dtype == E::Undefined ? " (the scale's type)" : "");
  return out;
}

void infer(InferContext& ctx) {
  const ElementType x = ctx.input_type(0), scale = ctx.input_type(1);
  if (!is_quantized_type(x, ctx.opset()) && x != ElementType::I32)
    throw ctx.error(ErrorKind::InvalidModel, "cannot dequantise a {} input at opset {}",
                    to_string(x), ctx.opset());
  if (ctx.has_input(2) && ctx.input_type(2) != x)
    throw ctx.error(ErrorKind::InvalidModel, "zero point type {} differs from input type {}",
                    to_string(ctx.input_type(2)), to_string(x));
  if (!is_scale_type(scale, ctx.opset()))
    throw ctx.error(ErrorKind::InvalidModel, "scale must be a float type, got {} at opset {}",
                    to_string(scale), ctx.opset());
  ctx.set_output(0, output_type(ctx, scale), ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale_tensor = ctx.input(1);
  const Tensor* zero_point_tensor = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  const QuantLayout layout = quant_layout(ctx, x.shape(), scale_tensor, zero_point_tensor);
  const std::vector<double> scales = scale_tensor.to_double();
  std::vector<double> zero_points(scales.size(), 0.0);
  if (zero_point_tensor) zero_points = zero_point_tensor->to_double();
  Tensor& y = ctx.output(0);
  visit_types<kInteger | kSmallInt | kFloat8 | kSmallFloat>(x.element_type(), [&]<class Q>() {
    const Q* xs = x.data<Q>();
    visit_float(y.element_type(), [&]<class T>() {
      T* ys = y.data<T>();
      for (int64_t i = 0; i < x.size(); ++i) {
        const int64_t p = layout.index(i);
        // In float, as ONNX's reference and ONNX Runtime do.
        const float dx = float(compute_t<Q>(xs[i])) - float(zero_points[p]);
        ys[i] = T(compute_t<T>(dx * float(scales[p])));
      }
    });
  });
}

}  // namespace

const OpDef& dequantize_linear_op() {
  static const OpDef def{.name = "DequantizeLinear",
                         .domain = "",
                         .versions = {10, 13, 19, 21, 23, 24, 25, 28},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
