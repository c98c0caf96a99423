// What SVMClassifier and SVMRegressor share: the kernel (kernel_type and kernel_params) and the
// input as float rows, which is how ONNX Runtime computes them.
#pragma once

#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "ops/ml/ml_common.h"

namespace tandem::ops::ml {

enum class SvmKernelKind { Linear, Poly, Rbf, Sigmoid };

/// K(x, v): LINEAR x.v, POLY (gamma x.v + coef0)^degree, RBF exp(-gamma |x - v|^2),
/// SIGMOID tanh(gamma x.v + coef0); kernel_params is [gamma, coef0, degree].
struct SvmKernel {
  SvmKernelKind kind = SvmKernelKind::Linear;
  float gamma = 0, coef0 = 0, degree = 0;

  float operator()(const float* x, const float* v, int64_t n) const {
    if (kind == SvmKernelKind::Rbf) {
      float sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += (x[i] - v[i]) * (x[i] - v[i]);
      return std::exp(-gamma * sum);
    }
    // ONNX Runtime takes the dot products from a float GEMM, which accumulates with fused
    // multiply-adds.
    float dot = 0;
    for (int64_t i = 0; i < n; ++i) dot = std::fma(x[i], v[i], dot);
    switch (kind) {
      case SvmKernelKind::Poly:
        return std::pow(gamma * dot + coef0, degree);
      case SvmKernelKind::Sigmoid:
        return std::tanh(gamma * dot + coef0);
      default:
        return dot;
    }
  }
};

inline SvmKernel svm_kernel_of(const NodeContext& ctx) {
  SvmKernel k;
  const std::string type = ctx.attr<std::string>("kernel_type", "LINEAR");
  if (type == "LINEAR")
    k.kind = SvmKernelKind::Linear;
  else if (type == "POLY")
    k.kind = SvmKernelKind::Poly;
  else if (type == "RBF")
    k.kind = SvmKernelKind::Rbf;
  else if (type == "SIGMOID")
    k.kind = SvmKernelKind::Sigmoid;
  else
    throw ctx.error(ErrorKind::InvalidModel,
                    "kernel_type must be LINEAR, POLY, RBF or SIGMOID, got '{}'", type);
  const auto params = ctx.attr<std::vector<float>>("kernel_params", {});
  if (!params.empty() && params.size() != 3)
    throw ctx.error(ErrorKind::InvalidModel,
                    "kernel_params must be [gamma, coef0, degree], got {} values", params.size());
  if (params.size() == 3) k.gamma = params[0], k.coef0 = params[1], k.degree = params[2];
  return k;
}

/// The input as float rows of `features` columns; throws when its width differs.
inline std::vector<float> svm_rows(const NodeContext& ctx, const Tensor& x, int64_t features,
                                   Matrix& m) {
  check_numeric_input(ctx, x.element_type());
  m = matrix_of(ctx, x.shape());
  if (m.columns != features)
    throw ctx.error(ErrorKind::InvalidArgument, "X {} has {} features, the model {}", describe(x),
                    m.columns, features);
  const std::vector<double> v = x.to_double();
  return std::vector<float>(v.begin(), v.end());
}

/// Whether a size fits a count of whole rows of `width`.
inline bool divides(size_t size, int64_t width) { return width > 0 && size % size_t(width) == 0; }

}  // namespace tandem::ops::ml
