// LpPool: sliding-window p-norm, (sum |x|^p)^(1/p); padding contributes zeros.
#include "ops/nn/pool_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Versions: opset 1 had p as a float attribute, opset 2 as an int (both read as float here);
// opset 11 only changed the docs. (ceil_mode and dilations came with opset 18.)
void infer(InferContext& ctx) {
  std::vector<int64_t> out;
  pool_window(ctx, ctx.input_shape(0), false, false, out);
  ctx.set_output(0, ctx.input_type(0), out.empty() ? PartialShape() : partial_shape(out));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> out;
  const Window window = pool_window(ctx, PartialShape(x.shape()), false, false, out);
  const Window3 w3 = to_window3(ctx, window, spatial_dims(PartialShape(x.shape())),
                                std::vector<int64_t>(out.begin() + 2, out.end()));
  PoolOptions options{.kind = PoolKind::Lp};
  options.p = ctx.attr<float>("p", 2.0f);
  if (!(options.p > 0))
    throw ctx.error(ErrorKind::InvalidModel, "p must be positive, got {}", options.p);
  run_pool(ctx, x, ctx.output(0), nullptr, w3, options, false);
}

}  // namespace

const OpDef& lp_pool_op() {
  static const OpDef def{.name = "LpPool",
                         .domain = "",
                         .versions = {1, 2, 11},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
