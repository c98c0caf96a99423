// ArrayFeatureExtractor: the elements of X at the given indices of its last axis, for every
// leading index: Y [..., len(indices)]. A 1-D X gives one row [1, len(indices)], as ONNX Runtime
// does.
#include "ops/ml/ml_common.h"
#include "ops/sequence/pieces.h"

namespace tandem::ops {
namespace {
PartialShape output_shape(const PartialShape& x, Dimension count) {
  if (!x.rank_known()) return PartialShape();
  std::vector<Dimension> dims = x.dims();
  if (dims.size() <= 1) return PartialShape({Dimension(1), count});
  dims.back() = count;
  return PartialShape(std::move(dims));
}

void infer(InferContext& ctx) {
  if (ctx.input_type(1) != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "indices must be int64, got {}",
                    to_string(ctx.input_type(1)));
  if (ctx.input_shape(0).rank_known() && ctx.input_shape(0).rank() == 0)
    throw ctx.error(ErrorKind::InvalidModel, "X must have rank >= 1");
  Dimension count;
  const PartialShape& indices = ctx.input_shape(1);
  if (indices.rank_known()) {
    int64_t n = 1;
    for (const Dimension& d : indices.dims()) {
      if (!d.is_static()) n = -1;
      if (n >= 0) n *= d.value;
    }
    if (n >= 0) count = n;
  }
  ctx.set_output(0, ctx.input_type(0), output_shape(ctx.input_shape(0), count));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::vector<int64_t> indices = ctx.input(1).to_int64();
  if (x.rank() == 0) throw ctx.error(ErrorKind::InvalidArgument, "X must have rank >= 1");
  const int64_t last = x.shape().back();
  for (int64_t i : indices)
    if (i < 0 || i >= last)
      throw ctx.error(ErrorKind::InvalidArgument, "index {} is outside [0, {}) of X {}", i, last,
                      describe(x));
  const int64_t count = int64_t(indices.size());
  Shape shape = x.shape();
  if (shape.size() == 1) shape.insert(shape.begin(), 1);
  shape.back() = count;
  Tensor& y = ctx.allocate_output(0, x.element_type(), shape);
  const int64_t rows = last == 0 ? 0 : x.size() / last;
  visit_all(x.element_type(), [&]<class T>() {
    auto src = x.span<const T>();
    auto dst = y.span<T>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < count; ++j) dst[r * count + j] = src[r * last + indices[j]];
  });
}
}  // namespace

const OpDef& array_feature_extractor_op() {
  static const OpDef def{.name = "ArrayFeatureExtractor",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
