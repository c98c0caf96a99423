// SequenceMap: runs the body once per item of the input sequence; additional inputs are
// sequences (their item of the same index) or tensors (passed whole). Each body output becomes
// a sequence output.
#include "ops/op.h"
#include "ops/sequence/pieces.h"
#include "ops/sequence/sequence_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const ir::Graph& body = ctx.subgraph("body");
  if (body.inputs.size() != ctx.num_inputs())
    throw ctx.error(ErrorKind::InvalidModel, "the body takes {} inputs, the node has {}", body.inputs.size(),
                    ctx.num_inputs());
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    ValueType element = i < body.outputs.size() ? body.outputs[i].type : ValueType{};
    if (element.kind == ValueType::Kind::Unknown)
      element = ValueType::tensor(ElementType::Undefined, PartialShape());
    ctx.set_output(i, ValueType::sequence_of(element));
  }
}

void reference(KernelContext& ctx) {
  const ir::Graph& body = ctx.subgraph("body");
  const auto& items = sequence_input(ctx, 0).items();
  for (size_t j = 1; j < ctx.num_inputs(); ++j) {
    const Value& extra = ctx.value(j);
    if (extra.is_sequence() && extra.items().size() != items.size())
      throw ctx.error(ErrorKind::InvalidArgument, "input {} has {} items, input 0 has {}", j,
                      extra.items().size(), items.size());
  }
  std::vector<std::vector<Tensor>> results(ctx.num_outputs());
  for (size_t i = 0; i < items.size(); ++i) {
    std::vector<Value> inputs{Value(items[i])};
    for (size_t j = 1; j < ctx.num_inputs(); ++j) {
      const Value& extra = ctx.value(j);
      inputs.push_back(extra.is_sequence() ? Value(extra.items()[i]) : extra);
    }
    std::vector<Value> outputs = ctx.run_subgraph(body, std::move(inputs));
    if (outputs.size() < results.size())
      throw ctx.error(ErrorKind::InvalidModel, "the body gave {} outputs, the node has {}", outputs.size(),
                      results.size());
    for (size_t k = 0; k < results.size(); ++k) {
      if (!outputs[k].is_tensor())
        throw ctx.error(ErrorKind::InvalidArgument, "body output {} must be a tensor, got {}", k,
                        to_string(type_of(outputs[k])));
      results[k].push_back(outputs[k].tensor());
    }
  }
  for (size_t k = 0; k < results.size(); ++k) {
    ElementType type = k < body.outputs.size() ? body.outputs[k].type.element_type : ElementType::Undefined;
    if (!results[k].empty()) type = results[k][0].element_type();
    ctx.set_output(k, Value::sequence(std::move(results[k]), type));
  }
}
}  // namespace

const OpDef& sequence_map_op() {
  static const OpDef def{.name = "SequenceMap", .versions = {17}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
