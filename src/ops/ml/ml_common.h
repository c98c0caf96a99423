// What the ai.onnx.ml ops share: their op list, attribute readers and the score transforms, which
// follow ONNX Runtime (the runtime scikit-learn converters target) and compute in float as it does.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "ops/dispatch.h"
#include "ops/infer_context.h"
#include "ops/kernel_context.h"
#include "ops/op.h"

namespace tandem::ops {

inline constexpr std::string_view kMlDomain = "ai.onnx.ml";

const OpDef& array_feature_extractor_op();
const OpDef& binarizer_op();
const OpDef& cast_map_op();
const OpDef& category_mapper_op();
const OpDef& dict_vectorizer_op();
const OpDef& feature_vectorizer_op();
const OpDef& imputer_op();
const OpDef& label_encoder_op();
const OpDef& linear_classifier_op();
const OpDef& linear_regressor_op();
const OpDef& normalizer_op();
const OpDef& one_hot_encoder_op();
const OpDef& scaler_op();
const OpDef& svm_classifier_op();
const OpDef& svm_regressor_op();
const OpDef& tree_ensemble_op();
const OpDef& tree_ensemble_classifier_op();
const OpDef& tree_ensemble_regressor_op();
const OpDef& zip_map_op();

namespace ml {

/// A float list attribute, or (from `tensor_since` on, when given) its `<name>_as_tensor` double
/// twin; empty when neither is set. Setting both is an error.
inline std::vector<double> doubles_attr(const NodeContext& ctx, const std::string& name,
                                        int tensor_since = 0) {
  const std::string twin = name + "_as_tensor";
  const bool has_twin = tensor_since > 0 && ctx.opset() >= tensor_since && ctx.has_attr(twin);
  if (has_twin && ctx.has_attr(name))
    throw ctx.error(ErrorKind::InvalidModel, "only one of '{}' and '{}' may be set", name, twin);
  if (has_twin) return ctx.attr<Tensor>(twin).to_double();
  const std::vector<float> f = ctx.attr<std::vector<float>>(name, {});
  return {f.begin(), f.end()};
}

/// The 2-D view [rows, columns] of an ML input: a 1-D input is one row.
struct Matrix {
  int64_t rows = 0, columns = 0;
};
inline Matrix matrix_of(const NodeContext& ctx, const Shape& shape) {
  if (shape.size() == 1) return {1, shape[0]};
  if (shape.size() == 2) return {shape[0], shape[1]};
  throw ctx.error(ErrorKind::InvalidArgument, "input must be [N, C] or [C], got {}",
                  to_string(shape));
}

/// The numeric input types of the ML ops (float, double, int32, int64).
inline void check_numeric_input(const NodeContext& ctx, ElementType type) {
  if (type != ElementType::F32 && type != ElementType::F64 && type != ElementType::I32 &&
      type != ElementType::I64 && type != ElementType::Undefined)
    throw ctx.error(ErrorKind::InvalidModel, "input must be float, double, int32 or int64, got {}",
                    to_string(type));
}

/// A classifier's class labels: exactly one of the int64 list (`ints_name`) and
/// classlabels_strings must be set.
struct ClassLabels {
  bool strings = false;
  std::vector<int64_t> ints;
  std::vector<std::string> texts;
  size_t size() const { return strings ? texts.size() : ints.size(); }
  ElementType element_type() const { return strings ? ElementType::String : ElementType::I64; }
};
inline ClassLabels class_labels_of(const NodeContext& ctx, const std::string& ints_name) {
  ClassLabels labels;
  labels.strings = ctx.has_attr("classlabels_strings");
  if (labels.strings == ctx.has_attr(ints_name))
    throw ctx.error(ErrorKind::InvalidModel,
                    "exactly one of {} and classlabels_strings must be set", ints_name);
  if (labels.strings)
    labels.texts = ctx.attr<std::vector<std::string>>("classlabels_strings");
  else
    labels.ints = ctx.attr<std::vector<int64_t>>(ints_name);
  return labels;
}

enum class PostTransform { None, Softmax, Logistic, SoftmaxZero, Probit };

/// The string form of post_transform (every op but TreeEnsemble).
inline PostTransform post_transform_of(const NodeContext& ctx) {
  const std::string s = ctx.attr<std::string>("post_transform", "NONE");
  if (s == "NONE") return PostTransform::None;
  if (s == "SOFTMAX") return PostTransform::Softmax;
  if (s == "LOGISTIC") return PostTransform::Logistic;
  if (s == "SOFTMAX_ZERO") return PostTransform::SoftmaxZero;
  if (s == "PROBIT") return PostTransform::Probit;
  throw ctx.error(
      ErrorKind::InvalidModel,
      "post_transform must be NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO or PROBIT, got '{}'", s);
}

inline float logistic(float v) {
  const float e = 1.0f / (1.0f + std::exp(-std::abs(v)));
  return v < 0 ? 1.0f - e : e;
}

// Winitzki's approximation of erf^-1, as ONNX Runtime computes it.
inline float erf_inv(float x) {
  const float sign = x < 0 ? -1.0f : 1.0f;
  x = (1 - x) * (1 + x);
  const float log = std::log(x);
  const float v = 2 / (3.14159f * 0.147f) + 0.5f * log;
  const float v2 = 1 / 0.147f * log;
  return sign * std::sqrt(-v + std::sqrt(v * v - v2));
}

inline float probit(float v) { return 1.41421356f * erf_inv(2 * v - 1); }

/// Applies the transform to one row of scores in place. A single score takes only PROBIT, as in
/// ONNX Runtime.
inline void apply_post_transform(PostTransform t, std::vector<float>& s) {
  if (s.size() == 1) {
    if (t == PostTransform::Probit) s[0] = probit(s[0]);
    return;
  }
  switch (t) {
    case PostTransform::None:
      return;
    case PostTransform::Probit:
      for (float& v : s) v = probit(v);
      return;
    case PostTransform::Logistic:
      for (float& v : s) v = logistic(v);
      return;
    case PostTransform::Softmax: {
      float top = -std::numeric_limits<float>::max(), sum = 0;
      for (float v : s) top = std::max(top, v);
      for (float& v : s) sum += v = std::exp(v - top);
      for (float& v : s) v /= sum;
      return;
    }
    case PostTransform::SoftmaxZero: {  // zeros stay zero: absent classes keep no mass
      float top = -std::numeric_limits<float>::max(), sum = 0;
      for (float v : s) top = std::max(top, v);
      const float scale = std::exp(-top);
      for (float& v : s) {
        if (v > 1e-7f || v < -1e-7f) {
          v = std::exp(v - top);
          sum += v;
        } else {
          v *= scale;
        }
      }
      for (float& v : s) v /= sum;
      return;
    }
  }
}

}  // namespace ml
}  // namespace tandem::ops
