// Scaler: y = (x - offset) * scale per column, as float; offset and scale hold one value for every
// column or one per column.
#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  ml::check_numeric_input(ctx, ctx.input_type(0));
  ctx.set_output(0, ElementType::F32, ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::vector<float> offset = ctx.attr<std::vector<float>>("offset", {});
  const std::vector<float> scale = ctx.attr<std::vector<float>>("scale", {});
  const int64_t columns = x.rank() == 0 ? 1 : x.shape().back();
  for (const auto* v : {&offset, &scale})
    if (v->size() != 1 && int64_t(v->size()) != columns)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "offset and scale must hold 1 or {} values (the columns of X {}), got {} "
                      "and {}",
                      columns, describe(x), offset.size(), scale.size());
  const std::vector<double> in = x.to_double();
  auto y = ctx.output(0).span<float>();
  for (size_t i = 0; i < in.size(); ++i) {
    const size_t c = size_t(int64_t(i) % columns);
    y[i] = (float(in[i]) - offset[offset.size() == 1 ? 0 : c]) * scale[scale.size() == 1 ? 0 : c];
  }
}
}  // namespace

const OpDef& scaler_op() {
  static const OpDef def{.name = "Scaler",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
