// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point) for integer outputs,
// y = cast(x / scale + zero_point) for the narrow float outputs.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant/quant_layout.h"

namespace tandem::ops {
namespace {

// Versions: 10 quantises per tensor to uint8 or int8; 13 adds per axis (a 1-D scale along
// `axis`, default 1); 19 adds float16/bfloat16 inputs and the float8 outputs with `saturate`;
// 21 adds int16/uint16/int4/uint4 outputs, blocked quantisation (`block_size`) and
// `output_dtype`; 23 lets the scale's type differ from x's, adds the `precision` of the division
// and float4e2m1; 24 adds float8e8m0 scales; 25 int2/uint2; 28 float6e2m3/float6e3m2. The output
// takes the zero point's type, else output_dtype, else uint8.
ElementType output_type(const NodeContext& ctx, const ElementType* zero_point) {
  const auto dtype = ctx.opset() >= 21 ? ElementType(ctx.attr<int64_t>("output_dtype", 0))
                                       : ElementType::Undefined;
  if (zero_point && dtype != ElementType::Undefined && dtype != *zero_point)
    throw ctx.error(ErrorKind::InvalidModel,
                    "output_dtype {} differs from the zero point's type {}", to_string(dtype),
                    to_string(*zero_point));
  const ElementType out = zero_point                        ? *zero_point
                          : dtype != ElementType::Undefined ? dtype
                                                            : ElementType::U8;
  if (!is_quantized_type(out, ctx.opset()))
    throw ctx.error(ErrorKind::InvalidModel, "cannot quantise to {} at opset {}", to_string(out),
                    ctx.opset());
  return out;
}

bool is_input_type(ElementType type, int opset) {
  using E = ElementType;
  return is_one_of(type, {E::F32, E::I32}) || (opset >= 19 && is_one_of(type, {E::F16, E::BF16}));
}

// The division's type: the precision attribute (opset 23+), else the scale's type; float for
// the scales that are not floats of their own (int32, float8e8m0, whose values float holds).
ElementType division_type(const NodeContext& ctx, ElementType scale) {
  using E = ElementType;
  const auto precision = ctx.opset() >= 23 ? E(ctx.attr<int64_t>("precision", 0)) : E::Undefined;
  if (precision != E::Undefined) {
    if (!is_one_of(precision, {E::F32, E::F64, E::F16, E::BF16}))
      throw ctx.error(ErrorKind::InvalidModel, "precision {} is not a float type", int(precision));
    return precision;
  }
  return is_one_of(scale, {E::F16, E::BF16}) ? scale : E::F32;
}

// Rounds v to the nearest value of the float type `type`.
double round_to(ElementType type, double v) {
  switch (type) {
    case ElementType::F32:
      return float(v);
    case ElementType::F16:
      return float(float16(float(v)));
    case ElementType::BF16:
      return float(bfloat16(float(v)));
    default:
      return v;
  }
}

void infer(InferContext& ctx) {
  const ElementType x = ctx.input_type(0), scale = ctx.input_type(1);
  if (!is_input_type(x, ctx.opset()))
    throw ctx.error(ErrorKind::InvalidModel, "cannot quantise a {} input at opset {}", to_string(x),
                    ctx.opset());
  if (!is_scale_type(scale, ctx.opset()) && scale != ElementType::I32)
    throw ctx.error(ErrorKind::InvalidModel, "scale must be a float type, got {}",
                    to_string(scale));
  division_type(ctx, scale);
  const ElementType zero_point = ctx.has_input(2) ? ctx.input_type(2) : ElementType::Undefined;
  ctx.set_output(0, output_type(ctx, ctx.has_input(2) ? &zero_point : nullptr), ctx.input_shape(0));
}

// The saturation range of an integer output type.
template <class Q>
std::pair<double, double> integer_range() {
  if constexpr (is_narrow_int_v<Q>)
    return {Q::kMin, Q::kMax};
  else
    return {double(std::numeric_limits<Q>::min()), double(std::numeric_limits<Q>::max())};
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale_tensor = ctx.input(1);
  const Tensor* zero_point_tensor = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  const QuantLayout layout = quant_layout(ctx, x.shape(), scale_tensor, zero_point_tensor);
  const ElementType division = division_type(ctx, scale_tensor.element_type());
  std::vector<double> scales = scale_tensor.to_double();
  for (double& s : scales) s = round_to(division, s);
  std::vector<double> zero_points(scales.size(), 0.0);
  if (zero_point_tensor) zero_points = zero_point_tensor->to_double();
  // Only the float8 outputs may opt out; the others have no infinity and always saturate.
  const bool saturate = ctx.opset() < 19 || ctx.attr<int64_t>("saturate", 1) != 0;
  std::vector<double> xs(size_t(x.size()));
  visit_types<kFloat | kSigned>(x.element_type(), [&]<class T>() {
    const T* in = x.data<T>();
    for (int64_t i = 0; i < x.size(); ++i) xs[i] = double(compute_t<T>(in[i]));
  });
  Tensor& y = ctx.output(0);
  visit_types<kInteger | kSmallInt | kFloat8 | kSmallFloat>(y.element_type(), [&]<class Q>() {
    Q* ys = y.data<Q>();
    for (int64_t i = 0; i < x.size(); ++i) {
      const int64_t p = layout.index(i);
      // Both operands are values of the division's type, so one rounding of the exact double
      // quotient is the division in that type.
      const double q = round_to(division, round_to(division, xs[i]) / scales[p]);
      if constexpr (is_narrow_float_v<Q>) {
        ys[i] = Q::from_bits(narrow_float_from_float(Q::kFormat, q + zero_points[p], saturate));
      } else {
        const auto [lo, hi] = integer_range<Q>();
        // nearbyint rounds half to even in the default mode; NaN quantises to the zero point.
        const double r = std::isnan(q) ? zero_points[p] : std::nearbyint(q) + zero_points[p];
        const double v = std::clamp(r, lo, hi);
        if constexpr (is_narrow_int_v<Q>)
          ys[i] = Q(int(v));
        else
          ys[i] = Q(v);
      }
    }
  });
}

}  // namespace

const OpDef& quantize_linear_op() {
  static const OpDef def{.name = "QuantizeLinear",
                         .domain = "",
                         .versions = {10, 13, 19, 21, 23, 24, 25, 28},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
