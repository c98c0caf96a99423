// LinearRegressor and LinearClassifier: scores = X coefficients^T + intercepts, for X [N, C] (or
// one row [C]) and coefficients [targets, C], then the post transform. The classifier's label is
// the best class; with a single score column and two labels it is binary (label 1 when the score
// is > 0) and Z gets both columns, as ONNX Runtime writes them.
#include <algorithm>

#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
// Scores in float, [rows, targets]; targets from the number of coefficients.
std::vector<float> linear_scores(const KernelContext& ctx, ml::Matrix& m, int64_t& targets) {
  const Tensor& x = ctx.input(0);
  m = ml::matrix_of(ctx, x.shape());
  const std::vector<float> w = ctx.attr<std::vector<float>>("coefficients");
  const std::vector<float> b = ctx.attr<std::vector<float>>("intercepts", {});
  if (m.columns == 0 || w.size() % size_t(m.columns) != 0)
    throw ctx.error(ErrorKind::InvalidArgument, "{} coefficients do not fit X {}", w.size(),
                    describe(x));
  targets = int64_t(w.size()) / m.columns;
  if (!b.empty() && int64_t(b.size()) != targets)
    throw ctx.error(ErrorKind::InvalidArgument, "{} intercepts for {} targets", b.size(), targets);
  const std::vector<double> in = x.to_double();
  std::vector<float> scores(size_t(m.rows * targets));
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t t = 0; t < targets; ++t) {
      float s = b.empty() ? 0.0f : b[size_t(t)];
      for (int64_t c = 0; c < m.columns; ++c)
        s += float(in[size_t(r * m.columns + c)]) * w[size_t(t * m.columns + c)];
      scores[size_t(r * targets + t)] = s;
    }
  return scores;
}

Dimension rows_of(const InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (!x.rank_known()) return Dimension();
  if (x.rank() == 1) return Dimension(1);
  if (x.rank() == 2) return x[0];
  throw ctx.error(ErrorKind::InvalidModel, "X must be [N, C] or [C], got {}", to_string(x));
}

void regressor_infer(InferContext& ctx) {
  ml::check_numeric_input(ctx, ctx.input_type(0));
  ml::post_transform_of(ctx);
  ctx.set_output(0, ElementType::F32,
                 PartialShape({rows_of(ctx), Dimension(ctx.attr<int64_t>("targets", 1))}));
}

void regressor_reference(KernelContext& ctx) {
  ml::Matrix m;
  int64_t targets = 0;
  std::vector<float> scores = linear_scores(ctx, m, targets);
  if (targets != ctx.attr<int64_t>("targets", 1))
    throw ctx.error(ErrorKind::InvalidArgument,
                    "the coefficients make {} targets, the attribute says {}", targets,
                    ctx.attr<int64_t>("targets", 1));
  const ml::PostTransform t = ml::post_transform_of(ctx);
  Tensor& y = ctx.allocate_output(0, ElementType::F32, {m.rows, targets});
  auto out = y.span<float>();
  std::vector<float> row(static_cast<size_t>(targets));
  for (int64_t r = 0; r < m.rows; ++r) {
    std::copy_n(&scores[size_t(r * targets)], targets, row.begin());
    ml::apply_post_transform(t, row);
    std::copy(row.begin(), row.end(), &out[size_t(r * targets)]);
  }
}

bool string_labels(const NodeContext& ctx) {
  const bool strings = ctx.has_attr("classlabels_strings");
  if (strings == ctx.has_attr("classlabels_ints"))
    throw ctx.error(ErrorKind::InvalidModel,
                    "exactly one of classlabels_ints and classlabels_strings must be set");
  return strings;
}

void classifier_infer(InferContext& ctx) {
  ml::check_numeric_input(ctx, ctx.input_type(0));
  ml::post_transform_of(ctx);
  const bool strings = string_labels(ctx);
  const Dimension rows = rows_of(ctx);
  ctx.set_output(0, strings ? ElementType::String : ElementType::I64, PartialShape({rows}));
  ctx.set_output(1, ElementType::F32, PartialShape({rows, Dimension()}));
}

void classifier_reference(KernelContext& ctx) {
  ml::Matrix m;
  int64_t targets = 0;
  std::vector<float> scores = linear_scores(ctx, m, targets);
  const bool strings = string_labels(ctx);
  const auto int_labels = ctx.attr<std::vector<int64_t>>("classlabels_ints", {});
  const auto str_labels = ctx.attr<std::vector<std::string>>("classlabels_strings", {});
  const size_t labels = strings ? str_labels.size() : int_labels.size();
  if (targets != 1 && size_t(targets) != labels)
    throw ctx.error(ErrorKind::InvalidArgument, "{} score columns for {} class labels", targets,
                    labels);
  const ml::PostTransform t = ml::post_transform_of(ctx);
  const bool binary = targets == 1 && labels == 2;
  const int64_t width = binary ? 2 : targets;
  Tensor& y = ctx.allocate_output(0, strings ? ElementType::String : ElementType::I64, {m.rows});
  Tensor& z = ctx.allocate_output(1, ElementType::F32, {m.rows, width});
  auto z_out = z.span<float>();
  std::vector<float> row;
  for (int64_t r = 0; r < m.rows; ++r) {
    const float* s = &scores[size_t(r * targets)];
    size_t label = 0;
    if (targets == 1) {  // one score: positive or not
      label = s[0] > 0 ? 1 : 0;
    } else {
      label = size_t(std::max_element(s, s + targets) - s);
    }
    if (strings) {
      y.span<std::string>()[r] =
          targets == 1 && labels != 2 ? (label ? "1" : "0") : str_labels[label];
    } else {
      y.span<int64_t>()[r] = targets == 1 && labels != 2 ? int64_t(label) : int_labels[label];
    }
    if (binary) {
      const float v = t == ml::PostTransform::Logistic ? ml::logistic(s[0]) : s[0];
      row = t == ml::PostTransform::Probit ? std::vector<float>{ml::probit(-v), ml::probit(v)}
                                           : std::vector<float>{1 - v, v};
    } else {
      row.assign(s, s + targets);
      ml::apply_post_transform(t, row);
    }
    std::copy(row.begin(), row.end(), &z_out[size_t(r * width)]);
  }
}
}  // namespace

const OpDef& linear_regressor_op() {
  static const OpDef def{.name = "LinearRegressor",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = regressor_infer,
                         .reference = regressor_reference};
  return def;
}

const OpDef& linear_classifier_op() {
  static const OpDef def{.name = "LinearClassifier",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = classifier_infer,
                         .reference = classifier_reference};
  return def;
}
}  // namespace tandem::ops
