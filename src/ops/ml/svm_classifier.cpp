// SVMClassifier, as ONNX Runtime computes it (the runtime scikit-learn's converters target).
//
// With support vectors (vectors_per_class), each pair of classes i < j has a one-vs-one score
// rho[k] + sum coefficients x K(x, v) over the two classes' support vectors, and a vote for i when
// it is > 0, else for j; the label is the class with most votes (the first on a tie). Z holds the
// pairwise scores, or, with prob_a/prob_b, Platt's pairwise probabilities coupled into one
// probability per class (Wu, Lin and Weng's method, in float as ONNX Runtime). Without support
// vectors the model is linear: one score per class, x.coefficients[c] + rho[0].
//
// Two classes follow ONNX Runtime's quirks: the single pairwise score s is written as [-s, s]
// without a post transform, [logistic(-s), logistic(s)] for LOGISTIC, [probit(s), s] for PROBIT
// and [1 - s, s] for the softmaxes; and a linear model's label is the second class when its best
// score is >= 0.5 with all weights
// >= 0, or > 0 with some negative.
#include <algorithm>

#include "ops/ml/svm_common.h"

namespace tandem::ops {
namespace {
struct Model {
  ml::ClassLabels labels;
  ml::SvmKernel kernel;
  ml::PostTransform post_transform = ml::PostTransform::None;
  std::vector<int64_t> vectors_per_class, first_vector;
  int64_t vectors = 0, features = 0, classes = 0;
  std::vector<float> coefficients, support_vectors, rho, prob_a, prob_b;
  bool weights_all_positive = true;

  bool linear() const { return vectors == 0; }
  bool has_probabilities() const { return !prob_a.empty(); }
  int64_t pairs() const { return classes * (classes - 1) / 2; }
  // Scores per row in Z.
  int64_t width() const {
    if (linear() || has_probabilities()) return classes;
    return classes > 2 ? pairs() : 2;
  }
};

Model model_of(const NodeContext& ctx) {
  Model m;
  m.labels = ml::class_labels_of(ctx, "classlabels_ints");
  m.kernel = ml::svm_kernel_of(ctx);
  m.post_transform = ml::post_transform_of(ctx);
  m.vectors_per_class = ctx.attr<std::vector<int64_t>>("vectors_per_class", {});
  m.coefficients = ctx.attr<std::vector<float>>("coefficients", {});
  m.support_vectors = ctx.attr<std::vector<float>>("support_vectors", {});
  m.rho = ctx.attr<std::vector<float>>("rho", {});
  m.prob_a = ctx.attr<std::vector<float>>("prob_a", {});
  m.prob_b = ctx.attr<std::vector<float>>("prob_b", {});
  m.classes = int64_t(m.labels.size());
  if (m.classes == 0) throw ctx.error(ErrorKind::InvalidModel, "there are no class labels");
  if (m.coefficients.empty() || m.rho.empty())
    throw ctx.error(ErrorKind::InvalidModel, "coefficients and rho must not be empty");
  if (m.prob_a.size() != m.prob_b.size())
    throw ctx.error(ErrorKind::InvalidModel, "prob_a has {} values, prob_b {}", m.prob_a.size(),
                    m.prob_b.size());
  for (int64_t n : m.vectors_per_class) {
    if (n < 0) throw ctx.error(ErrorKind::InvalidModel, "vectors_per_class must not be negative");
    m.first_vector.push_back(m.vectors);
    m.vectors += n;
  }
  m.weights_all_positive =
      std::all_of(m.coefficients.begin(), m.coefficients.end(), [](float w) { return w >= 0; });
  if (m.linear()) {
    m.kernel.kind = ml::SvmKernelKind::Linear;
    if (!ml::divides(m.coefficients.size(), m.classes))
      throw ctx.error(ErrorKind::InvalidModel, "{} coefficients for {} classes",
                      m.coefficients.size(), m.classes);
    m.features = int64_t(m.coefficients.size()) / m.classes;
    return m;
  }
  if (int64_t(m.vectors_per_class.size()) != m.classes)
    throw ctx.error(ErrorKind::InvalidModel, "vectors_per_class has {} entries for {} classes",
                    m.vectors_per_class.size(), m.classes);
  if (!ml::divides(m.support_vectors.size(), m.vectors))
    throw ctx.error(ErrorKind::InvalidModel, "{} support_vectors values for {} support vectors",
                    m.support_vectors.size(), m.vectors);
  m.features = int64_t(m.support_vectors.size()) / m.vectors;
  if (int64_t(m.coefficients.size()) < (m.classes - 1) * m.vectors ||
      int64_t(m.rho.size()) < m.pairs() ||
      (m.has_probabilities() && int64_t(m.prob_a.size()) < m.pairs()))
    throw ctx.error(
        ErrorKind::InvalidModel,
        "{} classes and {} support vectors need {} coefficients and {} rho (and prob_a, "
        "prob_b) values, got {} and {}",
        m.classes, m.vectors, (m.classes - 1) * m.vectors, m.pairs(), m.coefficients.size(),
        m.rho.size());
  return m;
}

void infer(InferContext& ctx) {
  const Model m = model_of(ctx);
  ml::check_numeric_input(ctx, ctx.input_type(0));
  const PartialShape& x = ctx.input_shape(0);
  Dimension rows;
  if (x.rank_known()) rows = x.rank() == 1 ? Dimension(1) : x[0];
  ctx.set_output(0, m.labels.element_type(), PartialShape({rows}));
  ctx.set_output(1, ElementType::F32, PartialShape({rows, Dimension(m.width())}));
}

// Couples the pairwise probabilities r [k, k] (r[i][j] = P(i | i or j)) into p [k].
void couple(int64_t k, const std::vector<float>& r, float* p) {
  std::vector<float> q(size_t(k * k), 0.0f), qp(size_t(k), 0.0f);
  const float eps = 0.005f / float(k);
  for (int64_t i = 0; i < k; ++i) {
    p[i] = 1.0f / float(k);
    for (int64_t j = 0; j < i; ++j) {
      q[i * k + i] += r[j * k + i] * r[j * k + i];
      q[i * k + j] = q[j * k + i];
    }
    for (int64_t j = i + 1; j < k; ++j) {
      q[i * k + i] += r[j * k + i] * r[j * k + i];
      q[i * k + j] = -r[j * k + i] * r[i * k + j];
    }
  }
  for (int iteration = 0; iteration < 100; ++iteration) {
    float pqp = 0;
    for (int64_t i = 0; i < k; ++i) {
      qp[i] = 0;
      for (int64_t j = 0; j < k; ++j) qp[i] += q[i * k + j] * p[j];
      pqp += p[i] * qp[i];
    }
    float max_error = 0;
    for (int64_t i = 0; i < k; ++i) max_error = std::max(max_error, std::fabs(qp[i] - pqp));
    if (max_error < eps) break;
    for (int64_t i = 0; i < k; ++i) {
      const float diff = (-qp[i] + pqp) / q[i * k + i];
      p[i] += diff;
      pqp = (pqp + diff * (diff * q[i * k + i] + 2 * qp[i])) / (1 + diff) / (1 + diff);
      for (int64_t j = 0; j < k; ++j) {
        qp[j] = (qp[j] + diff * q[i * k + j]) / (1 + diff);
        p[j] /= 1 + diff;
      }
    }
  }
}

// The one-vs-one scores of a row, and its votes.
void pairwise(const Model& m, const float* row, std::vector<float>& scores,
              std::vector<int64_t>& votes) {
  std::vector<float> kernels(size_t(m.vectors));
  for (int64_t v = 0; v < m.vectors; ++v)
    kernels[size_t(v)] = m.kernel(row, &m.support_vectors[size_t(v * m.features)], m.features);
  scores.clear();
  votes.assign(size_t(m.classes), 0);
  size_t pair = 0;
  for (int64_t i = 0; i < m.classes - 1; ++i) {
    for (int64_t j = i + 1; j < m.classes; ++j) {
      // Class i's vectors weigh with row j - 1 of the coefficients, class j's with row i.
      double sum = 0;
      for (int64_t v = 0; v < m.vectors_per_class[i]; ++v) {
        const int64_t at = m.first_vector[i] + v;
        sum += m.coefficients[size_t((j - 1) * m.vectors + at)] * kernels[size_t(at)];
      }
      for (int64_t v = 0; v < m.vectors_per_class[j]; ++v) {
        const int64_t at = m.first_vector[j] + v;
        sum += m.coefficients[size_t(i * m.vectors + at)] * kernels[size_t(at)];
      }
      sum += m.rho[pair++];
      scores.push_back(float(sum));
      ++votes[size_t(sum > 0 ? i : j)];
    }
  }
}

std::vector<float> probabilities(const Model& m, const std::vector<float>& scores) {
  const int64_t k = m.classes;
  std::vector<float> r(size_t(k * k), 0.0f);
  std::vector<float> p(static_cast<size_t>(k));
  size_t pair = 0;
  for (int64_t i = 0; i < k - 1; ++i)
    for (int64_t j = i + 1; j < k; ++j, ++pair) {
      // Platt's sigmoid, kept inside (0, 1) so the coupling stays defined.
      const float v = 1 - ml::logistic(scores[pair] * m.prob_a[pair] + m.prob_b[pair]);
      const float clipped = std::min(std::max(v, 1.0e-7f), 1 - 1.0e-7f);
      r[size_t(i * k + j)] = clipped;
      r[size_t(j * k + i)] = 1 - clipped;
    }
  couple(k, r, p.data());
  return p;
}

void reference(KernelContext& ctx) {
  const Model model = model_of(ctx);
  ml::Matrix mx;
  const std::vector<float> x = ml::svm_rows(ctx, ctx.input(0), model.features, mx);
  Tensor& y = ctx.allocate_output(0, model.labels.element_type(), {mx.rows});
  const int64_t width = model.width();
  auto z = ctx.allocate_output(1, ElementType::F32, {mx.rows, width}).span<float>();
  std::vector<float> scores;
  std::vector<int64_t> votes;
  for (int64_t r = 0; r < mx.rows; ++r) {
    const float* row = &x[size_t(r * model.features)];
    size_t best = 0;
    float best_score = 0;
    if (model.linear()) {
      scores.clear();
      for (int64_t c = 0; c < model.classes; ++c)
        scores.push_back(
            model.kernel(row, &model.coefficients[size_t(c * model.features)], model.features) +
            model.rho[0]);
      best = size_t(std::max_element(scores.begin(), scores.end()) - scores.begin());
      best_score = scores[best];
    } else {
      pairwise(model, row, scores, votes);
      best = size_t(std::max_element(votes.begin(), votes.end()) - votes.begin());
      if (model.has_probabilities()) scores = probabilities(model, scores);
    }
    // ONNX Runtime's choice between two classes; best_score is 0 for votes.
    if (model.classes == 2 && !model.has_probabilities() &&
        ((model.weights_all_positive && best_score >= 0.5f) ||
         (!model.weights_all_positive && best_score > 0)))
      best = 1;
    if (model.labels.strings)
      y.span<std::string>()[size_t(r)] = model.labels.texts[best];
    else
      y.span<int64_t>()[size_t(r)] = model.labels.ints[best];

    float* out = &z[size_t(r * width)];
    if (scores.size() == 1 && model.post_transform == ml::PostTransform::Probit) {
      out[0] = ml::probit(scores[0]);
      out[1] = scores[0];
    } else if (scores.size() == 1 && width == 2) {
      const float s = scores[0];
      switch (model.post_transform) {
        case ml::PostTransform::None:
          out[0] = -s, out[1] = s;
          break;
        case ml::PostTransform::Logistic:
          out[0] = ml::logistic(-s), out[1] = ml::logistic(s);
          break;
        default:
          out[0] = 1 - s, out[1] = s;
          break;
      }
    } else {
      ml::apply_post_transform(model.post_transform, scores);
      std::copy(scores.begin(), scores.end(), out);
    }
  }
}
}  // namespace

const OpDef& svm_classifier_op() {
  static const OpDef def{.name = "SVMClassifier",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
