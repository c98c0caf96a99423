// The elementwise family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

// unary_math.cpp
const OpDef& abs_op();
const OpDef& acos_op();
const OpDef& acosh_op();
const OpDef& asin_op();
const OpDef& asinh_op();
const OpDef& atan_op();
const OpDef& atanh_op();
const OpDef& ceil_op();
const OpDef& cos_op();
const OpDef& cosh_op();
const OpDef& erf_op();
const OpDef& exp_op();
const OpDef& floor_op();
const OpDef& is_inf_op();
const OpDef& is_nan_op();
const OpDef& log_op();
const OpDef& neg_op();
const OpDef& reciprocal_op();
const OpDef& round_op();
const OpDef& sign_op();
const OpDef& sin_op();
const OpDef& sinh_op();
const OpDef& sqrt_op();
const OpDef& tan_op();
const OpDef& tanh_op();
// activation.cpp
const OpDef& celu_op();
const OpDef& elu_op();
const OpDef& hard_sigmoid_op();
const OpDef& hard_swish_op();
const OpDef& leaky_relu_op();
const OpDef& relu_op();
const OpDef& selu_op();
const OpDef& shrink_op();
const OpDef& sigmoid_op();
const OpDef& softplus_op();
const OpDef& softsign_op();
const OpDef& thresholded_relu_op();
// prelu.cpp, clip.cpp
const OpDef& prelu_op();
const OpDef& clip_op();
// arithmetic.cpp, pow.cpp, mod.cpp, bit_shift.cpp
const OpDef& add_op();
const OpDef& sub_op();
const OpDef& mul_op();
const OpDef& div_op();
const OpDef& pow_op();
const OpDef& mod_op();
const OpDef& bit_shift_op();
// logical.cpp
const OpDef& and_op();
const OpDef& or_op();
const OpDef& xor_op();
const OpDef& not_op();
// bitwise.cpp
const OpDef& bitwise_and_op();
const OpDef& bitwise_or_op();
const OpDef& bitwise_xor_op();
const OpDef& bitwise_not_op();
// comparison.cpp
const OpDef& equal_op();
const OpDef& greater_op();
const OpDef& less_op();
const OpDef& greater_or_equal_op();
const OpDef& less_or_equal_op();
// variadic.cpp
const OpDef& max_op();
const OpDef& min_op();
const OpDef& mean_op();
const OpDef& sum_op();
// where.cpp, cast.cpp
const OpDef& where_op();
const OpDef& cast_op();
const OpDef& cast_like_op();

void register_elementwise(Registry& registry) {
  registry.add(abs_op());
  registry.add(acos_op());
  registry.add(acosh_op());
  registry.add(asin_op());
  registry.add(asinh_op());
  registry.add(atan_op());
  registry.add(atanh_op());
  registry.add(ceil_op());
  registry.add(cos_op());
  registry.add(cosh_op());
  registry.add(erf_op());
  registry.add(exp_op());
  registry.add(floor_op());
  registry.add(is_inf_op());
  registry.add(is_nan_op());
  registry.add(log_op());
  registry.add(neg_op());
  registry.add(reciprocal_op());
  registry.add(round_op());
  registry.add(sign_op());
  registry.add(sin_op());
  registry.add(sinh_op());
  registry.add(sqrt_op());
  registry.add(tan_op());
  registry.add(tanh_op());

  registry.add(celu_op());
  registry.add(elu_op());
  registry.add(hard_sigmoid_op());
  registry.add(hard_swish_op());
  registry.add(leaky_relu_op());
  registry.add(relu_op());
  registry.add(selu_op());
  registry.add(shrink_op());
  registry.add(sigmoid_op());
  registry.add(softplus_op());
  registry.add(softsign_op());
  registry.add(thresholded_relu_op());
  registry.add(prelu_op());
  registry.add(clip_op());

  registry.add(add_op());
  registry.add(sub_op());
  registry.add(mul_op());
  registry.add(div_op());
  registry.add(pow_op());
  registry.add(mod_op());
  registry.add(bit_shift_op());

  registry.add(and_op());
  registry.add(or_op());
  registry.add(xor_op());
  registry.add(not_op());

  registry.add(bitwise_and_op());
  registry.add(bitwise_or_op());
  registry.add(bitwise_xor_op());
  registry.add(bitwise_not_op());

  registry.add(equal_op());
  registry.add(greater_op());
  registry.add(less_op());
  registry.add(greater_or_equal_op());
  registry.add(less_or_equal_op());

  registry.add(max_op());
  registry.add(min_op());
  registry.add(mean_op());
  registry.add(sum_op());

  registry.add(where_op());
  registry.add(cast_op());
  registry.add(cast_like_op());
}

}  // namespace tandem::ops
