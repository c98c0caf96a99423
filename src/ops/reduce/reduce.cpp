// The reduce family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& arg_max_op();
const OpDef& arg_min_op();
const OpDef& cum_prod_op();
const OpDef& cum_sum_op();
const OpDef& negative_log_likelihood_loss_op();
const OpDef& reduce_l1_op();
const OpDef& reduce_l2_op();
const OpDef& reduce_log_sum_op();
const OpDef& reduce_log_sum_exp_op();
const OpDef& reduce_max_op();
const OpDef& reduce_mean_op();
const OpDef& reduce_min_op();
const OpDef& reduce_prod_op();
const OpDef& reduce_sum_op();
const OpDef& reduce_sum_square_op();
const OpDef& softmax_cross_entropy_loss_op();
const OpDef& top_k_op();

void register_reduce(Registry& registry) {
  registry.add(arg_max_op());
  registry.add(arg_min_op());
  registry.add(cum_prod_op());
  registry.add(cum_sum_op());
  registry.add(negative_log_likelihood_loss_op());
  registry.add(reduce_l1_op());
  registry.add(reduce_l2_op());
  registry.add(reduce_log_sum_op());
  registry.add(reduce_log_sum_exp_op());
  registry.add(reduce_max_op());
  registry.add(reduce_mean_op());
  registry.add(reduce_min_op());
  registry.add(reduce_prod_op());
  registry.add(reduce_sum_op());
  registry.add(reduce_sum_square_op());
  registry.add(softmax_cross_entropy_loss_op());
  registry.add(top_k_op());
}

}  // namespace tandem::ops
