// The variadic ops: Max, Min, Sum and Mean of one or more inputs, with broadcasting.
#include <cmath>
#include <type_traits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: before 8 every input has one shape (a case of the numpy broadcasting 8 introduced,
// so one rule serves both); 12 gave Max and Min every numeric type, 13 bfloat16.

void infer(InferContext& ctx) {
  if (ctx.num_inputs() == 0 || !ctx.has_input(0))
    throw ctx.error(ErrorKind::InvalidModel, "needs at least one input");
  infer_broadcast_same(ctx);
}

template <class C>
bool is_nan(C x) {
  if constexpr (std::is_floating_point_v<C>)
    return std::isnan(x);
  else
    return false;
}

OpDef variadic_op(std::string_view name, std::vector<int> versions, KernelFn reference) {
  return OpDef{
      .name = name, .versions = std::move(versions), .infer = infer, .reference = reference};
}

}  // namespace

// NaN wins in Max and Min, as in numpy's maximum and minimum.
const OpDef& max_op() {
  static const OpDef def = variadic_op("Max", {1, 6, 8, 12, 13}, [](KernelContext& ctx) {
    variadic_kernel<kNumeric>(ctx, [](auto a, auto b) { return a > b || is_nan(a) ? a : b; });
  });
  return def;
}

const OpDef& min_op() {
  static const OpDef def = variadic_op("Min", {1, 6, 8, 12, 13}, [](KernelContext& ctx) {
    variadic_kernel<kNumeric>(ctx, [](auto a, auto b) { return a < b || is_nan(a) ? a : b; });
  });
  return def;
}

const OpDef& sum_op() {
  static const OpDef def = variadic_op("Sum", {1, 6, 8, 13}, [](KernelContext& ctx) {
    variadic_kernel<kNumeric>(ctx, [](auto a, auto b) { return a + b; });
  });
  return def;
}

const OpDef& mean_op() {
  static const OpDef def = variadic_op("Mean", {1, 6, 8, 13}, [](KernelContext& ctx) {
    int count = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) count += ctx.has_input(i);
    variadic_kernel<kNumeric>(
        ctx, [](auto a, auto b) { return a + b; },
        [&](auto sum) { return sum / decltype(sum)(count); });
  });
  return def;
}

}  // namespace tandem::ops
