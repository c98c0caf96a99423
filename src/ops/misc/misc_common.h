// What the misc family shares: its op list, scalar inputs, dtype attributes and storing computed
// doubles into outputs of any numeric type.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ops/dispatch.h"
#include "ops/infer_context.h"
#include "ops/kernel_context.h"
#include "ops/op.h"
#include "tandem/tensor.h"

namespace tandem::ops {

const OpDef& non_max_suppression_op();
const OpDef& roi_align_op();
const OpDef& grid_sample_op();
const OpDef& affine_grid_op();
const OpDef& string_normalizer_op();
const OpDef& tfidf_vectorizer_op();
const OpDef& dft_op();
const OpDef& stft_op();
const OpDef& blackman_window_op();
const OpDef& hamming_window_op();
const OpDef& hann_window_op();
const OpDef& mel_weight_matrix_op();
const OpDef& random_normal_op();
const OpDef& random_normal_like_op();
const OpDef& random_uniform_op();
const OpDef& random_uniform_like_op();
const OpDef& multinomial_op();
const OpDef& bernoulli_op();
const OpDef& adagrad_op();
const OpDef& adam_op();
const OpDef& momentum_op();

/// The domain of the training preview ops (Adagrad, Adam, Momentum, Gradient).
inline constexpr std::string_view kPreviewTrainingDomain = "ai.onnx.preview.training";

/// Whether `type` is float16, float or double, or bfloat16 from opset `bfloat16_since` on (the
/// version that added it to the op's type constraint).
inline bool is_float_at(const NodeContext& ctx, ElementType type, int bfloat16_since) {
  return type == ElementType::F32 || type == ElementType::F64 || type == ElementType::F16 ||
         (type == ElementType::BF16 && ctx.opset() >= bfloat16_since);
}

/// "float16, float or double" (and ", bfloat16" where the opset allows it), for errors.
inline std::string_view float_names_at(const NodeContext& ctx, int bfloat16_since) {
  return ctx.opset() >= bfloat16_since ? "bfloat16, float16, float or double"
                                       : "float16, float or double";
}

/// The one value of a scalar (or one-element) integer input, named in errors.
inline int64_t scalar_int(const NodeContext& ctx, const Tensor& t, std::string_view name) {
  if (t.size() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "input '{}' must hold one value, got shape {}",
                    name, to_string(t.shape()));
  if (t.element_type() != ElementType::I32 && t.element_type() != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "input '{}' must be int32 or int64, got {}", name,
                    to_string(t.element_type()));
  return t.to_int64()[0];
}

/// The one value of a scalar (or one-element) floating-point input.
inline double scalar_float(const NodeContext& ctx, const Tensor& t, std::string_view name) {
  if (t.size() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "input '{}' must hold one value, got shape {}",
                    name, to_string(t.shape()));
  return t.to_double()[0];
}

/// An element-type attribute (ONNX TensorProto.DataType numbering), checked against `allowed`.
inline ElementType dtype_attr(const NodeContext& ctx, const std::string& name, ElementType fallback,
                              unsigned allowed) {
  if (!ctx.has_attr(name)) return fallback;
  const auto type = static_cast<ElementType>(ctx.attr<int64_t>(name));
  bool ok = false;
  switch (type) {
    case ElementType::F32:
    case ElementType::F64:
    case ElementType::F16:
    case ElementType::BF16:
      ok = allowed & kFloat;
      break;
    case ElementType::I8:
    case ElementType::I16:
    case ElementType::I32:
    case ElementType::I64:
      ok = allowed & kSigned;
      break;
    case ElementType::U8:
    case ElementType::U16:
    case ElementType::U32:
    case ElementType::U64:
      ok = allowed & kUnsigned;
      break;
    case ElementType::Bool:
      ok = allowed & kBool;
      break;
    default:
      break;
  }
  if (!ok)
    throw ctx.error(ErrorKind::InvalidModel, "attribute '{}' = {} is not an allowed element type",
                    name, ctx.attr<int64_t>(name));
  return type;
}

/// Writes values into `out` (any numeric or bool type), converting as a C++ cast would.
inline void store_doubles(Tensor& out, std::span<const double> values) {
  visit_types<kNumeric | kBool>(out.element_type(), [&]<class T>() {
    auto y = out.span<T>();
    for (size_t i = 0; i < values.size(); ++i) y[i] = static_cast<T>(compute_t<T>(values[i]));
  });
}

}  // namespace tandem::ops
