// Det: determinants of square matrices over the last two dimensions.
#include <cmath>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 22 added bfloat16.
void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (!x.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  if (x.rank() < 2)
    throw ctx.error(ErrorKind::InvalidModel, "X must have rank 2 or more, got {}", to_string(x));
  const Dimension& r = x[x.rank() - 2];
  const Dimension& c = x[x.rank() - 1];
  if (r.is_static() && c.is_static() && r.value != c.value)
    throw ctx.error(ErrorKind::InvalidModel, "matrices must be square, got shape {}", to_string(x));
  ctx.set_output(0, ctx.input_type(0),
                 PartialShape(std::vector<Dimension>(x.dims().begin(), x.dims().end() - 2)));
}

// LU decomposition with partial pivoting, in double.
double determinant(std::vector<double>& a, int64_t n) {
  double det = 1;
  for (int64_t col = 0; col < n; ++col) {
    int64_t pivot = col;
    for (int64_t r = col + 1; r < n; ++r)
      if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col])) pivot = r;
    if (a[pivot * n + col] == 0) return 0;
    if (pivot != col) {
      for (int64_t j = 0; j < n; ++j) std::swap(a[col * n + j], a[pivot * n + j]);
      det = -det;
    }
    const double p = a[col * n + col];
    det *= p;
    for (int64_t r = col + 1; r < n; ++r) {
      const double f = a[r * n + col] / p;
      if (f == 0) continue;
      for (int64_t j = col + 1; j < n; ++j) a[r * n + j] -= f * a[col * n + j];
    }
  }
  return det;
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t n = x.shape().back();
  Tensor& y = ctx.output(0);
  visit_float(x.element_type(), [&]<class T>() {
    auto in = x.span<const T>();
    auto out = y.span<T>();
    std::vector<double> a(size_t(n * n));
    for (size_t b = 0; b < out.size(); ++b) {
      for (int64_t i = 0; i < n * n; ++i) a[size_t(i)] = double(in[b * size_t(n * n) + size_t(i)]);
      out[b] = T(compute_t<T>(determinant(a, n)));
    }
  });
}

}  // namespace

const OpDef& det_op() {
  static const OpDef def{
      .name = "Det", .domain = "", .versions = {11, 22}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
