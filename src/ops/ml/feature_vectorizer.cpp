// FeatureVectorizer: joins its numeric inputs, all of one type, column-wise into float
// Y [N, sum(inputdimensions)].
// Input i contributes inputdimensions[i] columns: its first columns when it has more, zero
// padding when it has fewer. As in ONNX Runtime, a 1-D input is one row and a higher-rank one is
// flattened after its first dimension.
#include <numeric>

#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
std::vector<int64_t> dimensions_of(const NodeContext& ctx) {
  const auto dims = ctx.attr<std::vector<int64_t>>("inputdimensions", {});
  if (dims.size() != ctx.num_inputs())
    throw ctx.error(ErrorKind::InvalidModel, "{} inputdimensions for {} inputs", dims.size(),
                    ctx.num_inputs());
  for (int64_t d : dims)
    if (d < 0)
      throw ctx.error(ErrorKind::InvalidModel, "inputdimensions must not be negative, got {}", d);
  return dims;
}

void infer(InferContext& ctx) {
  const auto dims = dimensions_of(ctx);
  Dimension rows;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    ml::check_numeric_input(ctx, ctx.input_type(i));
    if (ctx.input_type(i) != ctx.input_type(0) && ctx.input_type(i) != ElementType::Undefined &&
        ctx.input_type(0) != ElementType::Undefined)
      throw ctx.error(ErrorKind::InvalidModel,
                      "input {} is {}, input 0 {}: inputs must share one type", i,
                      to_string(ctx.input_type(i)), to_string(ctx.input_type(0)));
    const PartialShape& s = ctx.input_shape(i);
    if (i == 0 && s.rank_known()) rows = s.rank() == 1 ? Dimension(1) : s[0];
  }
  ctx.set_output(
      0, ElementType::F32,
      PartialShape({rows, Dimension(std::accumulate(dims.begin(), dims.end(), int64_t(0)))}));
}

void reference(KernelContext& ctx) {
  const auto dims = dimensions_of(ctx);
  const int64_t total = std::accumulate(dims.begin(), dims.end(), int64_t(0));
  if (ctx.num_inputs() == 0) throw ctx.error(ErrorKind::InvalidModel, "needs at least one input");
  auto rows_of = [](const Tensor& t) { return t.rank() <= 1 ? int64_t(1) : t.shape()[0]; };
  const int64_t rows = rows_of(ctx.input(0));
  auto y = ctx.allocate_output(0, ElementType::F32, {rows, total}).span<float>();
  int64_t offset = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& x = ctx.input(i);
    ml::check_numeric_input(ctx, x.element_type());
    if (rows_of(x) != rows)
      throw ctx.error(ErrorKind::InvalidArgument, "input {} is {}, input 0 has {} rows", i,
                      describe(x), rows);
    const int64_t width = rows == 0 ? 0 : x.size() / rows;
    const std::vector<double> v = x.to_double();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < std::min(width, dims[i]); ++c)
        y[size_t(r * total + offset + c)] = float(v[size_t(r * width + c)]);
    offset += dims[i];
  }
}
}  // namespace

const OpDef& feature_vectorizer_op() {
  static const OpDef def{.name = "FeatureVectorizer",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
