// EyeLike: a matrix shaped like the input with ones on the k-th diagonal.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
ElementType output_type(const NodeContext& ctx, ElementType input) {
  if (!ctx.has_attr("dtype")) return input;
  const auto type = ElementType(ctx.attr<int64_t>("dtype"));
  if (type == ElementType::String || element_size(type) == 0)
    throw ctx.error(ErrorKind::InvalidModel, "dtype {} is not supported", int(type));
  return type;
}

void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  if (in.rank_known() && in.rank() != 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must be 2-D, got shape {}", to_string(in));
  ctx.set_output(0, output_type(ctx, ctx.input_type(0)), in.rank_known() ? in : PartialShape::of_rank(2));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() != 2) throw ctx.error(ErrorKind::InvalidArgument, "input must be 2-D, got {}", describe(x));
  const ElementType type = output_type(ctx, x.element_type());
  const int64_t k = ctx.attr<int64_t>("k", 0);
  const int64_t rows = x.shape()[0], cols = x.shape()[1];
  Tensor& y = ctx.allocate_output(0, type, x.shape());
  visit_types<kNumeric | kBool>(type, [&]<class T>() {
    T* dst = y.data<T>();
    for (int64_t r = 0; r < rows; ++r)
      if (r + k >= 0 && r + k < cols) dst[r * cols + r + k] = T(1);
  });
}
}  // namespace

const OpDef& eye_like_op() {
  static const OpDef def{
      .name = "EyeLike", .versions = {9, 22}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
