// The attention family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& attention_op();  // scaled_dot_product_attention.cpp
const OpDef& rotary_embedding_op();
const OpDef& rms_normalization_op();
const OpDef& linear_attention_op();
const OpDef& causal_conv_with_state_op();
const OpDef& flex_attention_op();
const OpDef& gelu_op();  // activations.cpp, with Mish, Swish and SwiGLU
const OpDef& mish_op();
const OpDef& swish_op();
const OpDef& swiglu_op();
const OpDef& tandem_gelu_op();  // com.tandem, made by the graph passes
const OpDef& multi_head_attention_op();  // com.tandem, made by the graph passes

void register_attention(Registry& registry) {
  registry.add(attention_op());
  registry.add(rotary_embedding_op());
  registry.add(rms_normalization_op());
  registry.add(linear_attention_op());
  registry.add(causal_conv_with_state_op());
  registry.add(flex_attention_op());
  registry.add(gelu_op());
  registry.add(mish_op());
  registry.add(swish_op());
  registry.add(swiglu_op());
  registry.add(tandem_gelu_op());
  registry.add(multi_head_attention_op());
}

}  // namespace tandem::ops
