// Optional, OptionalHasElement, OptionalGetElement. An optional holding something is that
// something at run time; an empty one is ValueKind::None. Opset 28 only added element types
// (bfloat16 and the float8/float4/int4/int2 ones tandem's tensors cannot hold).
#include "ops/op.h"
#include "ops/sequence/pieces.h"
#include "ops/sequence/sequence_common.h"

namespace tandem::ops {
namespace {
// Optional: wraps its input, or makes an empty optional of the type attribute's type.
void optional_infer(InferContext& ctx) {
  if (ctx.has_input(0)) {
    ctx.set_output(0, ValueType::optional_of(known_input_type(ctx, 0)));
    return;
  }
  if (!ctx.has_attr("type"))
    throw ctx.error(ErrorKind::InvalidModel, "an Optional without input needs the 'type' attribute");
  ctx.set_output(0, ValueType::optional_of(ctx.attr<ValueType>("type")));
}

void optional_reference(KernelContext& ctx) {
  ctx.set_output(0, ctx.has_input(0) ? ctx.value(0) : Value::none());
}

// OptionalHasElement: whether the optional holds something. Opsets 15-17 require an optional
// input; opset 18 reads an omitted one as false and a plain tensor or sequence as true, which
// costs nothing to accept here too.
void has_element_infer(InferContext& ctx) { ctx.set_output(0, ElementType::Bool, PartialShape(Shape{})); }

void has_element_reference(KernelContext& ctx) {
  const bool has = ctx.has_input(0) && !ctx.value(0).is_none();
  ctx.allocate_output(0, ElementType::Bool, {}).data<bool>()[0] = has;
}

// OptionalGetElement: what the optional holds; an error when it is empty. Opset 18 also passes a
// plain tensor or sequence through, which an optional holding it already is at run time.
void get_element_infer(InferContext& ctx) { ctx.set_output(0, known_input_type(ctx, 0)); }

void get_element_reference(KernelContext& ctx) {
  const Value& v = ctx.value(0);
  if (v.is_none()) throw ctx.error(ErrorKind::InvalidArgument, "the optional input is empty");
  ctx.set_output(0, v);
}
}  // namespace

const OpDef& optional_op() {
  static const OpDef def{
      .name = "Optional", .versions = {15, 28}, .infer = optional_infer, .reference = optional_reference};
  return def;
}

const OpDef& optional_has_element_op() {
  static const OpDef def{.name = "OptionalHasElement",
                         .versions = {15, 18, 28},
                         .infer = has_element_infer,
                         .reference = has_element_reference};
  return def;
}

const OpDef& optional_get_element_op() {
  static const OpDef def{.name = "OptionalGetElement",
                         .versions = {15, 18, 28},
                         .infer = get_element_infer,
                         .reference = get_element_reference};
  return def;
}

}  // namespace tandem::ops
