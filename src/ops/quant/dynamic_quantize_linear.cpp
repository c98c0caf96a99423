// DynamicQuantizeLinear: quantise float to uint8 with a scale and zero point from x's range.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// The range always includes 0 so that 0 is exact: scale = (max(0, max x) - min(0, min x)) / 255,
// zero_point = saturate(round(0 - min / scale)); a zero range takes scale 1 (ONNX's reference and
// ONNX Runtime) rather than dividing by zero. Float arithmetic throughout, to match them.
void infer(InferContext& ctx) {
  if (ctx.input_type(0) != ElementType::F32)
    throw ctx.error(ErrorKind::Unsupported, "input must be float, got {}",
                    to_string(ctx.input_type(0)));
  ctx.set_output(0, ElementType::U8, ctx.input_shape(0));
  ctx.set_output(1, ElementType::F32, PartialShape(std::vector<int64_t>{}));
  ctx.set_output(2, ElementType::U8, PartialShape(std::vector<int64_t>{}));
}

void reference(KernelContext& ctx) {
  const auto x = ctx.input(0).span<const float>();
  float lo = 0, hi = 0;
  for (float v : x) lo = std::min(lo, v), hi = std::max(hi, v);
  constexpr float qmax = 255;
  const float scale = hi == lo ? 1.0f : (hi - lo) / qmax;
  const float zero_point = std::nearbyint(std::clamp(0 - lo / scale, 0.0f, qmax));
  auto y = ctx.output(0).span<uint8_t>();
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = uint8_t(std::clamp(std::nearbyint(x[i] / scale) + zero_point, 0.0f, qmax));
  ctx.output(1).data<float>()[0] = scale;
  ctx.output(2).data<uint8_t>()[0] = uint8_t(zero_point);
}

}  // namespace

const OpDef& dynamic_quantize_linear_op() {
  static const OpDef def{.name = "DynamicQuantizeLinear",
                         .domain = "",
                         .versions = {11},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
