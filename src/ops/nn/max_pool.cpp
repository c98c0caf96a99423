// MaxPool: sliding-window maximum, with the flat indices of the maxima as an optional output.
#include "ops/nn/pool_kernel.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Versions: 8 added the Indices output and storage_order; 10 ceil_mode and dilations; 11 only
// changed the docs; 12 int8 and uint8; 22 bfloat16 (and documented that ceil_mode drops a last
// window starting in the end padding, which every version here does).
void infer(InferContext& ctx) {
  std::vector<int64_t> out;
  pool_window(ctx, ctx.input_shape(0), ctx.opset() >= 10, ctx.opset() >= 10, out);
  const PartialShape shape = out.empty() ? PartialShape() : partial_shape(out);
  ctx.set_output(0, ctx.input_type(0), shape);
  if (ctx.has_output(1)) ctx.set_output(1, ElementType::I64, shape);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> out;
  const Window window =
      pool_window(ctx, PartialShape(x.shape()), ctx.opset() >= 10, ctx.opset() >= 10, out);
  const Window3 w3 = to_window3(ctx, window, spatial_dims(PartialShape(x.shape())),
                                std::vector<int64_t>(out.begin() + 2, out.end()));
  PoolOptions options{.kind = PoolKind::Max};
  options.column_major = ctx.attr<int64_t>("storage_order", 0) != 0;
  int64_t* indices = ctx.has_output(1) ? ctx.output(1).data<int64_t>() : nullptr;
  run_pool(ctx, x, ctx.output(0), indices, w3, options, ctx.opset() >= 12);
}

}  // namespace

const OpDef& max_pool_op() {
  static const OpDef def{.name = "MaxPool",
                         .domain = "",
                         .versions = {1, 8, 10, 11, 12, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
