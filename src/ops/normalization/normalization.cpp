// The normalization family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& batch_normalization_op();
const OpDef& dropout_op();
const OpDef& group_normalization_op();
const OpDef& hardmax_op();
const OpDef& instance_normalization_op();
const OpDef& layer_normalization_op();
const OpDef& log_softmax_op();
const OpDef& lp_normalization_op();
const OpDef& lrn_op();
const OpDef& mean_variance_normalization_op();
const OpDef& softmax_op();
const OpDef& tandem_layer_normalization_op();  // com.tandem, made by the graph passes

void register_normalization(Registry& registry) {
  registry.add(batch_normalization_op());
  registry.add(dropout_op());
  registry.add(group_normalization_op());
  registry.add(hardmax_op());
  registry.add(instance_normalization_op());
  registry.add(layer_normalization_op());
  registry.add(log_softmax_op());
  registry.add(lp_normalization_op());
  registry.add(lrn_op());
  registry.add(mean_variance_normalization_op());
  registry.add(softmax_op());
  registry.add(tandem_layer_normalization_op());
}

}  // namespace tandem::ops
