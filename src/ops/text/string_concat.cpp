// StringConcat (opset 20): y = a + b, string by string, with numpy broadcasting.
#include <string>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

void infer(InferContext& ctx) {
  for (size_t i : {0, 1})
    if (ElementType t = ctx.input_type(i); t != ElementType::Undefined && t != ElementType::String)
      throw ctx.error(ErrorKind::InvalidModel, "input {} must be a string tensor, got {}", i,
                      to_string(t));
  ctx.set_output(0, ElementType::String,
                 broadcast_shapes(ctx, ctx.input_shape(0), ctx.input_shape(1)));
}

void reference(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& y = ctx.output(0);
  auto pa = a.span<const std::string>();
  auto pb = b.span<const std::string>();
  auto out = y.span<std::string>();
  for_each_broadcast(a.shape(), b.shape(), y.shape(), [&](int64_t i, int64_t ia, int64_t ib) {
    out[i].reserve(pa[ia].size() + pb[ib].size());
    out[i] = pa[ia];
    out[i] += pb[ib];
  });
}

}  // namespace

const OpDef& string_concat_op() {
  static const OpDef def{
      .name = "StringConcat", .versions = {20}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
