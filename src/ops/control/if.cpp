// If: runs then_branch or else_branch by a single boolean and passes its outputs on.
#include "ops/op.h"
#include "ops/sequence/pieces.h"

namespace tandem::ops {
namespace {
// Opset 11 let the branches' shapes differ; 13 allowed sequences, 16 optionals; 19, 21, 23, 24
// and 25 only added element types (float8, int4, float4, float8e8m0, int2) that tandem's tensors
// cannot hold, so models using them fail at load: none of it changes what runs.
void check_branches(const NodeContext& ctx, const ir::Graph& then_branch,
                    const ir::Graph& else_branch) {
  if (then_branch.outputs.size() != else_branch.outputs.size())
    throw ctx.error(ErrorKind::InvalidModel, "then_branch has {} outputs, else_branch {}",
                    then_branch.outputs.size(), else_branch.outputs.size());
  if (ctx.num_outputs() > then_branch.outputs.size())
    throw ctx.error(ErrorKind::InvalidModel, "the node has {} outputs, its branches {}",
                    ctx.num_outputs(), then_branch.outputs.size());
}

void infer(InferContext& ctx) {
  const ir::Graph& then_branch = ctx.subgraph("then_branch");
  const ir::Graph& else_branch = ctx.subgraph("else_branch");
  check_branches(ctx, then_branch, else_branch);
  const ValueType& cond = ctx.input(0);
  if (cond.is_tensor() && cond.element_type != ElementType::Bool &&
      cond.element_type != ElementType::Undefined)
    throw ctx.error(ErrorKind::InvalidModel, "cond must be bool, got {}", to_string(cond));
  // Once cond is known only the branch taken matters; before, the output covers both.
  const Tensor* known = ctx.input_tensor(0);
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    const ValueType& a = then_branch.outputs[i].type;
    const ValueType& b = else_branch.outputs[i].type;
    if (known && known->size() == 1)
      ctx.set_output(i, known->scalar<bool>() ? a : b);
    else
      ctx.set_output(i, merge_types(a, b));
  }
}

void reference(KernelContext& ctx) {
  const Tensor& cond = ctx.input(0);
  if (cond.size() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "cond must hold a single value, got {}",
                    describe(cond));
  const ir::Graph& then_branch = ctx.subgraph("then_branch");
  const ir::Graph& else_branch = ctx.subgraph("else_branch");
  check_branches(ctx, then_branch, else_branch);
  std::vector<Value> outputs =
      ctx.run_subgraph(cond.scalar<bool>() ? then_branch : else_branch, {});
  if (outputs.size() < ctx.num_outputs())
    throw ctx.error(ErrorKind::Runtime, "the branch gave {} outputs, the node has {}",
                    outputs.size(), ctx.num_outputs());
  for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move(outputs[i]));
}
}  // namespace

const OpDef& if_op() {
  static const OpDef def{.name = "If",
                         .versions = {1, 11, 13, 16, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
