// Imputer: replaces every replaced_value (NaN compares as NaN) in column c of X by
// imputed_value[c] (or the single imputed value), keeping the input's type.
#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  ml::check_numeric_input(ctx, ctx.input_type(0));
  ctx.set_output(0, ctx.input(0));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool floating =
      x.element_type() == ElementType::F32 || x.element_type() == ElementType::F64;
  std::vector<double> values;
  double replaced = 0;
  if (floating) {
    const auto v = ctx.attr<std::vector<float>>("imputed_value_floats", {});
    values.assign(v.begin(), v.end());
    replaced = ctx.attr<float>("replaced_value_float", 0.0f);
  } else {
    const auto v = ctx.attr<std::vector<int64_t>>("imputed_value_int64s", {});
    values.assign(v.begin(), v.end());
    replaced = double(ctx.attr<int64_t>("replaced_value_int64", 0));
  }
  const int64_t columns = x.rank() == 0 ? 1 : x.shape().back();
  if (values.size() != 1 && int64_t(values.size()) != columns)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "imputed_value_{} must hold 1 or {} values (the columns of X {}), got {}",
                    floating ? "floats" : "int64s", columns, describe(x), values.size());
  visit_numeric(x.element_type(), [&]<class T>() {
    auto in = x.span<const T>();
    auto out = ctx.output(0).span<T>();
    for (size_t i = 0; i < in.size(); ++i) {
      const double v = double(in[i]);
      const bool hit = std::isnan(replaced) ? std::isnan(v) : v == replaced;
      out[i] = hit ? T(values[values.size() == 1 ? 0 : size_t(int64_t(i) % columns)]) : in[i];
    }
  });
}
}  // namespace

const OpDef& imputer_op() {
  static const OpDef def{.name = "Imputer",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
