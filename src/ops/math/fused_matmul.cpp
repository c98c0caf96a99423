// FusedMatMul (com.tandem): Y = activation(MatMul(A, B) + Bias). Like FusedConv's, the reference
// runs the reference kernels of the ops it replaces one after the other, so it computes exactly
// what the unfused nodes did.
#include "ops/math/fused_matmul.h"

#include <utility>

#include "ops/nn/fused_conv.h"
#include "ops/op.h"
#include "ops/registry.h"

namespace tandem::ops {
namespace {

const OpDef& matmul() {
  const OpDef* def = Registry::global().find("", "MatMul");
  if (!def) throw Error(ErrorKind::Runtime, "FusedMatMul: op MatMul is not registered");
  return *def;
}

void infer(InferContext& ctx) {
  read_activation(ctx);
  matmul().infer(ctx);
  if (!ctx.has_input(kFusedMatMulBiasInput)) return;
  const ValueType& y = ctx.outputs()[0];
  const ValueType& bias = ctx.input(kFusedMatMulBiasInput);
  if (bias.element_type != ElementType::Undefined && y.element_type != ElementType::Undefined &&
      bias.element_type != y.element_type)
    throw ctx.error(ErrorKind::InvalidModel, "Bias is {}, the product {}",
                    to_string(bias.element_type), to_string(y.element_type));
  if (!bias.shape.rank_known()) return;
  if (bias.shape.rank() != 1)
    throw ctx.error(ErrorKind::InvalidModel, "Bias has shape {}, expected one dimension",
                    to_string(bias.shape));
  const bool known = y.shape.rank_known() && y.shape.rank() > 0 && bias.shape[0].is_static() &&
                     y.shape[y.shape.rank() - 1].is_static();
  if (known && bias.shape[0].value != y.shape[y.shape.rank() - 1].value)
    throw ctx.error(ErrorKind::InvalidModel, "Bias has shape {}, the product {}",
                    to_string(bias.shape), to_string(y.shape));
}

void reference(KernelContext& ctx) {
  const Activation activation = read_activation(ctx);
  matmul().reference(ctx);
  Value y = ctx.output(0);
  if (ctx.has_input(kFusedMatMulBiasInput)) {
    const Tensor& bias = ctx.input(kFusedMatMulBiasInput);
    if (bias.rank() != 1 || y.tensor().rank() == 0 || bias.shape()[0] != y.tensor().shape().back())
      throw ctx.error(ErrorKind::InvalidArgument, "Bias is {}, the product {}", describe(bias),
                      describe(y.tensor()));
    y = reference_add(ctx, y, bias);
  }
  ctx.set_output(0, reference_activation(ctx, activation, std::move(y)));
}

}  // namespace

const OpDef& fused_matmul_op() {
  static const OpDef def{.name = "FusedMatMul",
                         .domain = kTandemDomain,
                         .versions = {kTandemOpset},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
