// LpPool: sliding-window p-norm, (sum |x|^p)^(1/p); padding contributes zeros.
#include "ops/nn/pool_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Versions: opset 1 had p as a float attribute, opset 2 as an int (both read as float here);
// opset 11 only changed the docs; 18 added ceil_mode and dilations; 22 bfloat16.
bool has_window_options(const NodeContext& ctx) { return ctx.opset() >= 18; }

void infer(InferContext& ctx) {
  std::vector<int64_t> out;
  const bool options = has_window_options(ctx);
  pool_window(ctx, ctx.input_shape(0), options, options, out);
  ctx.set_output(0, ctx.input_type(0), out.empty() ? PartialShape() : partial_shape(out));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> out;
  const bool window_options = has_window_options(ctx);
  const Window window =
      pool_window(ctx, PartialShape(x.shape()), window_options, window_options, out);
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
                         .versions = {1, 2, 11, 18, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
