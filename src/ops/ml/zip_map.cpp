// ZipMap: each row of class scores X [N, C] (or one row [C]) becomes a map from the C class labels
// to that row's scores; the output is the sequence of the N maps, as scikit-learn converters end
// a classifier's probabilities.
#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const ml::ClassLabels labels = ml::class_labels_of(ctx, "classlabels_int64s");
  if (ElementType t = ctx.input_type(0); t != ElementType::F32 && t != ElementType::Undefined)
    throw ctx.error(ErrorKind::InvalidModel, "input must be float, got {}", to_string(t));
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known() && (x.rank() < 1 || x.rank() > 2))
    throw ctx.error(ErrorKind::InvalidModel, "input must be [N, C] or [C], got {}", to_string(x));
  if (x.rank_known() && x[x.rank() - 1].is_static() &&
      x[x.rank() - 1].value != int64_t(labels.size()))
    throw ctx.error(ErrorKind::InvalidModel, "input has {} columns for {} class labels",
                    x[x.rank() - 1].value, labels.size());
  ctx.set_output(
      0, ValueType::sequence_of(ValueType::map_of(labels.element_type(), ElementType::F32)));
}

void reference(KernelContext& ctx) {
  const ml::ClassLabels labels = ml::class_labels_of(ctx, "classlabels_int64s");
  const Tensor& x = ctx.input(0);
  const ml::Matrix m = ml::matrix_of(ctx, x.shape());
  if (m.columns != int64_t(labels.size()))
    throw ctx.error(ErrorKind::InvalidArgument, "input {} has {} columns for {} class labels",
                    describe(x), m.columns, labels.size());
  // Every map shares one keys tensor: tensors are immutable handles once made.
  const int64_t c = m.columns;
  const Tensor keys =
      labels.strings ? Tensor::from(labels.texts, {c}) : Tensor::from(labels.ints, {c});
  auto scores = x.span<const float>();
  std::vector<Value> maps;
  maps.reserve(size_t(m.rows));
  for (int64_t r = 0; r < m.rows; ++r) {
    Tensor row(ElementType::F32, {c});
    std::copy_n(&scores[size_t(r * c)], c, row.span<float>().begin());
    maps.push_back(Value::map(keys, std::move(row)));
  }
  ctx.set_output(0, Value::map_sequence(std::move(maps), labels.element_type(), ElementType::F32));
}
}  // namespace

const OpDef& zip_map_op() {
  static const OpDef def{.name = "ZipMap",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
