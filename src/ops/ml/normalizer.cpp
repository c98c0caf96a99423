// Normalizer: each row of X [N, C] (or the one row of [C]) divided by its MAX, L1 or L2 norm,
// as float. A zero row stays zero.
#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
enum class Norm { Max, L1, L2 };

Norm norm_of(const NodeContext& ctx) {
  const std::string norm = ctx.attr<std::string>("norm", "MAX");
  if (norm == "MAX") return Norm::Max;
  if (norm == "L1") return Norm::L1;
  if (norm == "L2") return Norm::L2;
  throw ctx.error(ErrorKind::InvalidModel, "norm must be MAX, L1 or L2, got '{}'", norm);
}

void infer(InferContext& ctx) {
  norm_of(ctx);
  ml::check_numeric_input(ctx, ctx.input_type(0));
  ctx.set_output(0, ElementType::F32, ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const Norm norm = norm_of(ctx);
  const Tensor& x = ctx.input(0);
  const ml::Matrix m = ml::matrix_of(ctx, x.shape());
  const std::vector<double> in = x.to_double();
  auto y = ctx.output(0).span<float>();
  for (int64_t r = 0; r < m.rows; ++r) {
    const double* row = &in[size_t(r * m.columns)];
    float total = 0;
    for (int64_t c = 0; c < m.columns; ++c) {
      const float v = float(row[c]);
      if (norm == Norm::Max) total = c == 0 ? v : std::max(total, v);
      if (norm == Norm::L1) total += std::abs(v);
      if (norm == Norm::L2) total += v * v;
    }
    if (norm == Norm::L2) total = std::sqrt(total);
    for (int64_t c = 0; c < m.columns; ++c)
      y[size_t(r * m.columns + c)] = total == 0 ? float(row[c]) : float(row[c]) / total;
  }
}
}  // namespace

const OpDef& normalizer_op() {
  static const OpDef def{.name = "Normalizer",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
