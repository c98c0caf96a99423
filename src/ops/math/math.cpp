// The math family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& det_op();
const OpDef& einsum_op();
const OpDef& fused_matmul_op();  // com.tandem, made by the graph passes
const OpDef& gemm_op();
const OpDef& matmul_op();
const OpDef& matmul_integer_op();
const OpDef& qlinear_matmul_op();

void register_math(Registry& registry) {
  registry.add(det_op());
  registry.add(einsum_op());
  registry.add(fused_matmul_op());
  registry.add(gemm_op());
  registry.add(matmul_op());
  registry.add(matmul_integer_op());
  registry.add(qlinear_matmul_op());
}

}  // namespace tandem::ops
