// PRelu: y = x < 0 ? slope * x : x, the slope broadcast one way to x's shape.
#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Opset 7 made the slope broadcast to x by numpy rules. Before it, a 1-D slope of x's channel
// count applied per channel (axis 1), as Caffe2 and the PyTorch exporter of the time meant it.
Shape slope_shape(const NodeContext& ctx, const Shape& x, const Shape& slope) {
  if (ctx.opset() < 7 && slope.size() == 1 && x.size() >= 2 && slope[0] == x[1] && slope[0] != 1) {
    Shape s(x.size(), 1);
    s[1] = slope[0];
    return s;
  }
  if (slope.size() > x.size() || broadcast_shapes(ctx, x, slope) != x)
    throw ctx.error(ErrorKind::InvalidModel,
                    "slope of shape {} does not broadcast to input shape {}", to_string(slope),
                    to_string(x));
  return slope;
}

void infer(InferContext& ctx) {
  check_same_types(ctx);
  const Tensor* x = ctx.input_tensor(0);
  const Tensor* slope = ctx.input_tensor(1);
  if (x && slope) slope_shape(ctx, x->shape(), slope->shape());
  ctx.set_output(0, ctx.input_type(0), ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& slope = ctx.input(1);
  const Shape shape = slope_shape(ctx, x.shape(), slope.shape());
  visit_numeric(x.element_type(), [&]<class T>() {
    map_binary<T, T, T>(x, slope, shape, ctx.output(0),
                        [](auto v, auto s) { return v < decltype(v)(0) ? decltype(v)(s * v) : v; });
  });
}

}  // namespace

const OpDef& prelu_op() {
  static const OpDef def{
      .name = "PRelu", .versions = {1, 6, 7, 9, 16}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
