// Gemm: Y = alpha * op(A) * op(B) + beta * C, with C broadcast to [M, N].
#include "ops/dispatch.h"
#include "ops/math/gemm_kernel.h"
#include "ops/math/matmul_plan.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Versions: before opset 7 C broadcasts only with broadcast=1 (else it must be [M, N]); opset 9
// added the integer types; opset 11 made C optional; opset 13 added bfloat16.
struct Dims {
  Dimension m, n, k_a, k_b;
};

Dims dims_of(const InferContext& ctx, const PartialShape& a, const PartialShape& b) {
  const bool ta = ctx.attr<int64_t>("transA", 0) != 0, tb = ctx.attr<int64_t>("transB", 0) != 0;
  Dims d;
  if (a.rank_known()) {
    if (a.rank() != 2)
      throw ctx.error(ErrorKind::InvalidModel, "A must be 2-D, got shape {}", to_string(a));
    d.m = a[ta ? 1 : 0];
    d.k_a = a[ta ? 0 : 1];
  }
  if (b.rank_known()) {
    if (b.rank() != 2)
      throw ctx.error(ErrorKind::InvalidModel, "B must be 2-D, got shape {}", to_string(b));
    d.k_b = b[tb ? 1 : 0];
    d.n = b[tb ? 0 : 1];
  }
  if (d.k_a.is_static() && d.k_b.is_static() && d.k_a.value != d.k_b.value)
    throw ctx.error(ErrorKind::InvalidModel,
                    "inner dimensions differ: A {} (transA={}), B {} (transB={})", to_string(a),
                    int(ta), to_string(b), int(tb));
  return d;
}

void check_c(const NodeContext& ctx, const Shape& c, int64_t m, int64_t n) {
  if (ctx.opset() < 7 && ctx.attr<int64_t>("broadcast", 0) == 0) {
    if (c != Shape{m, n})
      throw ctx.error(ErrorKind::InvalidModel,
                      "C has shape {}, expected [{},{}] (broadcast is 0 before opset 7)",
                      to_string(c), m, n);
    return;
  }
  const int64_t cm = c.size() == 2 ? c[0] : 1, cn = c.empty() ? 1 : c.back();
  if (c.size() > 2 || (cm != 1 && cm != m) || (cn != 1 && cn != n))
    throw ctx.error(ErrorKind::InvalidModel, "C of shape {} does not broadcast to [{},{}]",
                    to_string(c), m, n);
}

void infer(InferContext& ctx) {
  const Dims d = dims_of(ctx, ctx.input_shape(0), ctx.input_shape(1));
  const ElementType type = common_element_type(ctx, ctx.input_type(0), ctx.input_type(1), "A", "B");
  if (ctx.has_input(2) && d.m.is_static() && d.n.is_static() && ctx.input_shape(2).is_static())
    check_c(ctx, ctx.input_shape(2).to_shape(), d.m.value, d.n.value);
  if (!ctx.has_input(2) && ctx.opset() < 11)
    throw ctx.error(ErrorKind::InvalidModel, "input C is required before opset 11");
  ctx.set_output(0, type, PartialShape(std::vector<Dimension>{d.m, d.n}));
}

template <class T>
void run(KernelContext& ctx, const T* a, const T* b, const T* c, T* y, int64_t m, int64_t n,
         int64_t k) {
  const bool ta = ctx.attr<int64_t>("transA", 0) != 0, tb = ctx.attr<int64_t>("transB", 0) != 0;
  const T alpha = T(ctx.attr<float>("alpha", 1.0f)), beta = T(ctx.attr<float>("beta", 1.0f));
  T beta_gemm = T(0);
  if (c && beta != T(0)) {
    const Shape& cs = ctx.input(2).shape();
    // C unidirectionally broadcast to [m, n]: a row stride of 0 repeats a row, a column stride of
    // 0 repeats a column.
    const int64_t cm = cs.size() == 2 ? cs[0] : 1, cn = cs.empty() ? 1 : cs.back();
    const int64_t row_stride = cm == 1 ? 0 : cn, col_stride = cn == 1 ? 0 : 1;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) y[i * n + j] = beta * c[i * row_stride + j * col_stride];
    beta_gemm = T(1);
  }
  gemm<T>(ta, tb, m, n, k, alpha, a, ta ? m : k, b, tb ? k : n, beta_gemm, y, n);
}

void reference(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (a.rank() != 2 || b.rank() != 2)
    throw ctx.error(ErrorKind::InvalidModel, "A and B must be 2-D, got {} and {}",
                    to_string(a.shape()), to_string(b.shape()));
  const bool ta = ctx.attr<int64_t>("transA", 0) != 0, tb = ctx.attr<int64_t>("transB", 0) != 0;
  const int64_t m = a.shape()[ta ? 1 : 0], k = a.shape()[ta ? 0 : 1], n = b.shape()[tb ? 0 : 1];
  if (b.shape()[tb ? 1 : 0] != k)
    throw ctx.error(ErrorKind::InvalidModel,
                    "inner dimensions differ: A {} (transA={}), B {} (transB={})",
                    to_string(a.shape()), int(ta), to_string(b.shape()), int(tb));
  const Tensor* c = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  if (c) check_c(ctx, c->shape(), m, n);
  Tensor& y = ctx.output(0);
  visit_numeric(a.element_type(), [&]<class T>() {
    if constexpr (is_half_v<T>) {
      std::vector<float> af = widen(a.span<const T>()), bf = widen(b.span<const T>()), cf;
      if (c) cf = widen(c->span<const T>());
      std::vector<float> yf(size_t(y.size()));
      run<float>(ctx, af.data(), bf.data(), c ? cf.data() : nullptr, yf.data(), m, n, k);
      narrow(yf, y.span<T>());
    } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                         std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
                         std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>) {
      run<T>(ctx, a.data<T>(), b.data<T>(), c ? c->data<T>() : nullptr, y.data<T>(), m, n, k);
    } else {
      throw_unsupported_type(a.element_type(), "Gemm");
    }
  });
}

}  // namespace

const OpDef& gemm_op() {
  static const OpDef def{.name = "Gemm",
                         .domain = "",
                         .versions = {1, 6, 7, 9, 11, 13},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
