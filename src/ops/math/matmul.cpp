// MatMul: numpy matmul (batched, broadcasting, 1-D operands) through the shared GEMM.
#include "ops/dispatch.h"
#include "ops/math/gemm_kernel.h"
#include "ops/math/matmul_plan.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 9 added the 32- and 64-bit integer types and opset 13 bfloat16; the semantics never
// changed, so one kernel serves every version.
void infer(InferContext& ctx) {
  const ElementType type = common_element_type(ctx, ctx.input_type(0), ctx.input_type(1), "A", "B");
  ctx.set_output(0, type, matmul_shape(ctx, ctx.input_shape(0), ctx.input_shape(1)));
}

template <class T>
void run_gemm(const MatMulPlan& p, const T* a, const T* b, T* y) {
  if (p.folds_into_m) {
    const int64_t batches = int64_t(p.a_offsets.size());
    gemm<T>(false, false, batches * p.m, p.n, p.k, T(1), a, p.k, b, p.n, T(0), y, p.n);
    return;
  }
  for (size_t i = 0; i < p.a_offsets.size(); ++i)
    gemm<T>(false, false, p.m, p.n, p.k, T(1), a + p.a_offsets[i], p.k, b + p.b_offsets[i], p.n,
            T(0), y + int64_t(i) * p.m * p.n, p.n);
}

void reference(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  const MatMulPlan plan = plan_matmul(ctx, a.shape(), b.shape());
  Tensor& y = ctx.output(0);
  visit_numeric(a.element_type(), [&]<class T>() {
    if constexpr (is_half_v<T>) {
      std::vector<float> af = widen(a.span<const T>()), bf = widen(b.span<const T>());
      std::vector<float> yf(size_t(y.size()));
      run_gemm<float>(plan, af.data(), bf.data(), yf.data());
      narrow(yf, y.span<T>());
    } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                         std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
                         std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>) {
      run_gemm<T>(plan, a.data<T>(), b.data<T>(), y.data<T>());
    } else {
      throw_unsupported_type(a.element_type(), "MatMul");
    }
  });
}

}  // namespace

const OpDef& matmul_op() {
  static const OpDef def{.name = "MatMul",
                         .domain = "",
                         .versions = {1, 9, 13},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
