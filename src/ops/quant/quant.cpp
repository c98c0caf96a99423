// The quant family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& dequantize_linear_op();
const OpDef& dynamic_quantize_linear_op();
const OpDef& quantize_linear_op();

void register_quant(Registry& registry) {
  registry.add(dequantize_linear_op());
  registry.add(dynamic_quantize_linear_op());
  registry.add(quantize_linear_op());
}

}  // namespace tandem::ops
