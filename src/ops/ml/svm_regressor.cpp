// SVMRegressor: Y [N, 1] = sum_j coefficients[j] K(x, support_vector_j) + rho[0] with n_supports
// support vectors, or the linear x.coefficients + rho[0] without; one_class gives the sign, +1 or
// -1. post_transform is read but not applied, as in ONNX Runtime (onnx's reference refuses any but
// NONE, and scikit-learn's converters never set it).
#include "ops/ml/svm_common.h"

namespace tandem::ops {
namespace {
struct Model {
  ml::SvmKernel kernel;
  int64_t supports = 0, features = 0;
  std::vector<float> coefficients, support_vectors, rho;
  bool one_class = false;
};

Model model_of(const NodeContext& ctx) {
  Model m;
  m.kernel = ml::svm_kernel_of(ctx);
  ml::post_transform_of(ctx);
  m.supports = ctx.attr<int64_t>("n_supports", 0);
  m.coefficients = ctx.attr<std::vector<float>>("coefficients", {});
  m.support_vectors = ctx.attr<std::vector<float>>("support_vectors", {});
  m.rho = ctx.attr<std::vector<float>>("rho", {});
  m.one_class = ctx.attr<int64_t>("one_class", 0) != 0;
  if (m.coefficients.empty() || m.rho.empty())
    throw ctx.error(ErrorKind::InvalidModel, "coefficients and rho must not be empty");
  if (m.supports < 0) throw ctx.error(ErrorKind::InvalidModel, "n_supports must not be negative");
  if (m.supports == 0) {
    m.kernel.kind = ml::SvmKernelKind::Linear;  // the coefficients are the weights of the features
    m.features = int64_t(m.coefficients.size());
    return m;
  }
  if (!ml::divides(m.support_vectors.size(), m.supports) ||
      int64_t(m.coefficients.size()) != m.supports)
    throw ctx.error(
        ErrorKind::InvalidModel,
        "{} support vectors need {} coefficients and a multiple of {} support_vectors values, "
        "got {} and {}",
        m.supports, m.supports, m.supports, m.coefficients.size(), m.support_vectors.size());
  m.features = int64_t(m.support_vectors.size()) / m.supports;
  return m;
}

void infer(InferContext& ctx) {
  model_of(ctx);
  ml::check_numeric_input(ctx, ctx.input_type(0));
  const PartialShape& x = ctx.input_shape(0);
  Dimension rows;
  if (x.rank_known()) rows = x.rank() == 1 ? Dimension(1) : x[0];
  ctx.set_output(0, ElementType::F32, PartialShape({rows, Dimension(1)}));
}

void reference(KernelContext& ctx) {
  const Model model = model_of(ctx);
  ml::Matrix m;
  const std::vector<float> x = ml::svm_rows(ctx, ctx.input(0), model.features, m);
  auto y = ctx.allocate_output(0, ElementType::F32, {m.rows, 1}).span<float>();
  for (int64_t r = 0; r < m.rows; ++r) {
    const float* row = &x[size_t(r * model.features)];
    float score = 0;
    if (model.supports == 0) {
      score = model.kernel(row, model.coefficients.data(), model.features) + model.rho[0];
    } else {
      double sum = 0;
      for (int64_t j = 0; j < model.supports; ++j)
        sum +=
            double(model.coefficients[size_t(j)]) *
            model.kernel(row, &model.support_vectors[size_t(j * model.features)], model.features);
      score = float(sum + model.rho[0]);
    }
    y[size_t(r)] = model.one_class ? (score > 0 ? 1.0f : -1.0f) : score;
  }
}
}  // namespace

const OpDef& svm_regressor_op() {
  static const OpDef def{.name = "SVMRegressor",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
