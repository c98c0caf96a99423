// Binarizer: 1 where x > threshold, else 0, in the input's type (NaN gives 0).
#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  ml::check_numeric_input(ctx, ctx.input_type(0));
  ctx.set_output(0, ctx.input(0));
}

void reference(KernelContext& ctx) {
  const double threshold = ctx.attr<float>("threshold", 0.0f);
  visit_numeric(ctx.input(0).element_type(), [&]<class T>() {
    auto x = ctx.input(0).span<const T>();
    auto y = ctx.output(0).span<T>();
    for (size_t i = 0; i < x.size(); ++i) y[i] = T(double(x[i]) > threshold ? 1 : 0);
  });
}
}  // namespace

const OpDef& binarizer_op() {
  static const OpDef def{.name = "Binarizer",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
