// The nn family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& average_pool_op();
const OpDef& channels_last_op();  // com.tandem, made for devices that prefer NHWC images
const OpDef& conv_op();
const OpDef& conv_integer_op();
const OpDef& conv_transpose_op();
const OpDef& deform_conv_op();
const OpDef& fused_conv_op();  // com.tandem, made by the graph passes
const OpDef& global_average_pool_op();
const OpDef& global_lp_pool_op();
const OpDef& global_max_pool_op();
const OpDef& lp_pool_op();
const OpDef& max_pool_op();
const OpDef& max_roi_pool_op();
const OpDef& max_unpool_op();
const OpDef& qlinear_conv_op();

void register_nn(Registry& registry) {
  registry.add(average_pool_op());
  registry.add(channels_last_op());
  registry.add(conv_op());
  registry.add(conv_integer_op());
  registry.add(conv_transpose_op());
  registry.add(deform_conv_op());
  registry.add(fused_conv_op());
  registry.add(global_average_pool_op());
  registry.add(global_lp_pool_op());
  registry.add(global_max_pool_op());
  registry.add(lp_pool_op());
  registry.add(max_pool_op());
  registry.add(max_roi_pool_op());
  registry.add(max_unpool_op());
  registry.add(qlinear_conv_op());
}

}  // namespace tandem::ops
