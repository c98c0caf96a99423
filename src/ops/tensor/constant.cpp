// Constant: a tensor held in an attribute.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Opset 1 and 9 hold only `value`; opset 11 added `sparse_value`, opset 12 the value_float(s),
// value_int(s) and value_string(s) shorthands. Exactly one must be given.
Tensor constant_value(const NodeContext& ctx) {
  static const char* const kNames[] = {"value",     "sparse_value", "value_float",  "value_floats",
                                       "value_int", "value_ints",   "value_string", "value_strings"};
  int given = 0;
  for (const char* name : kNames) given += ctx.has_attr(name);
  if (given != 1)
    throw ctx.error(ErrorKind::InvalidModel, "needs exactly one value attribute, got {}", given);
  if (ctx.has_attr("value")) return ctx.attr<Tensor>("value");
  if (ctx.has_attr("sparse_value"))
    throw ctx.error(ErrorKind::Unsupported, "sparse_value is not supported; store the value densely");
  if (ctx.has_attr("value_float")) return Tensor::scalar<float>(ctx.attr<float>("value_float"));
  if (ctx.has_attr("value_int")) return Tensor::scalar<int64_t>(ctx.attr<int64_t>("value_int"));
  if (ctx.has_attr("value_string")) return Tensor::scalar<std::string>(ctx.attr<std::string>("value_string"));
  if (ctx.has_attr("value_floats")) {
    auto v = ctx.attr<std::vector<float>>("value_floats");
    return Tensor::from<float>(v, Shape{int64_t(v.size())});
  }
  if (ctx.has_attr("value_ints")) {
    auto v = ctx.attr<std::vector<int64_t>>("value_ints");
    return Tensor::from<int64_t>(v, Shape{int64_t(v.size())});
  }
  auto v = ctx.attr<std::vector<std::string>>("value_strings");
  return Tensor::from<std::string>(v, Shape{int64_t(v.size())});
}

void infer(InferContext& ctx) {
  const Tensor value = constant_value(ctx);
  ctx.set_output(0, value.element_type(), PartialShape(value.shape()));
}

void reference(KernelContext& ctx) { ctx.set_output(0, constant_value(ctx).clone()); }
}  // namespace

const OpDef& constant_op() {
  static const OpDef def{.name = "Constant",
                         .versions = {1, 9, 11, 12, 13, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
