// AveragePool: sliding-window mean, padding excluded from the count unless count_include_pad.
#include "ops/nn/pool_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Versions: 7 added count_include_pad; 10 ceil_mode; 11 only changed the docs; 19 dilations;
// 22 bfloat16 (and documented that ceil_mode drops a last window starting in the end padding,
// which every version here does).
bool has_dilations(const NodeContext& ctx) { return ctx.opset() >= 19; }

void infer(InferContext& ctx) {
  std::vector<int64_t> out;
  pool_window(ctx, ctx.input_shape(0), ctx.opset() >= 10, has_dilations(ctx), out);
  ctx.set_output(0, ctx.input_type(0), out.empty() ? PartialShape() : partial_shape(out));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> out;
  const Window window =
      pool_window(ctx, PartialShape(x.shape()), ctx.opset() >= 10, has_dilations(ctx), out);
  const Window3 w3 = to_window3(ctx, window, spatial_dims(PartialShape(x.shape())),
                                std::vector<int64_t>(out.begin() + 2, out.end()));
  PoolOptions options{.kind = PoolKind::Average};
  options.count_include_pad = ctx.opset() >= 7 && ctx.attr<int64_t>("count_include_pad", 0) != 0;
  run_pool(ctx, x, ctx.output(0), nullptr, w3, options, false);
}

}  // namespace

const OpDef& average_pool_op() {
  static const OpDef def{.name = "AveragePool",
                         .domain = "",
                         .versions = {1, 7, 10, 11, 19, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
