// oneDNN kernel for ONNX Gemm of f32 tensors with constant B (fully connected layers): transA and
// transB become strides, alpha is folded into the packed weights, beta·C becomes a broadcast
// bias. Under INFERENCE_PRECISION_HINT=bf16 the product is taken in bf16 (see PackedMatMul).
#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"

#include "devices/cpu/kernels/onednn_matmul_primitive.h"
#include "ops/node_context.h"
#include "ops/registry.h"

#include <optional>
#include <vector>

namespace tandem::cpu {
namespace {

class GemmKernel final : public Kernel {
 public:
  GemmKernel(Shape a_shape, const Tensor& b, const Tensor* c, std::unique_ptr<PackedMatMul> matmul,
             ops::KernelFn reference)
      : a_shape_(std::move(a_shape)),
        b_shape_(b.shape()),
        c_(c ? *c : Tensor()),
        matmul_(std::move(matmul)),
        reference_(reference) {}

  std::string_view name() const override {
    return matmul_->compute() == ElementType::BF16 ? "onednn_gemm_bf16" : "onednn_gemm_f32";
  }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    // Built for the shapes and constants known at compile time; anything else (which the planner
    // should never let through) gets the exact reference behaviour.
    const bool same_c = c_.is_valid() ? ctx.has_input(2) && ctx.input(2).data() == c_.data() : true;
    if (a.element_type() != ElementType::F32 || a.shape() != a_shape_ || !same_c) {
      run_matmul_reference(ctx, 1, *matmul_, b_shape_, reference_);
      return;
    }
    matmul_->execute(a.data(), pooled_output(ctx, 0).data());
  }

  bool holds_input(size_t i) const override { return i == 1 && matmul_->weights_exact(); }
  Tensor held_input(size_t i) const override {
    return holds_input(i) ? unpacked_weights(*matmul_, b_shape_) : Kernel::held_input(i);
  }

 private:
  Shape a_shape_, b_shape_;
  Tensor c_;  // the constant C, whose address identifies it at run time
  std::unique_ptr<PackedMatMul> matmul_;
  ops::KernelFn reference_;
};

// beta·C broadcast to [M,N]: a row added to every row of the product when C has one row (the
// common bias), else a whole [M,N] addend. Nullopt when C does not broadcast to [M,N], or when
// opset < 7 requires it to be exactly [M,N]: the reference then reports the error.
struct Addend {
  std::vector<float> row, full;
};
std::optional<Addend> addend_of(const ops::NodeContext& ctx, const Tensor& c, float beta, int64_t m,
                                int64_t n) {
  const Shape& cs = c.shape();
  if (cs.size() > 2) return std::nullopt;
  if (ctx.opset() < 7 && ctx.attr<int64_t>("broadcast", 0) == 0 && cs != Shape{m, n})
    return std::nullopt;
  const int64_t cm = cs.size() == 2 ? cs[0] : 1, cn = cs.empty() ? 1 : cs.back();
  if ((cm != 1 && cm != m) || (cn != 1 && cn != n)) return std::nullopt;
  const float* values = c.data<float>();
  const int64_t row_stride = cm == 1 ? 0 : cn, col_stride = cn == 1 ? 0 : 1;
  Addend addend;
  std::vector<float>& out = cm == 1 ? addend.row : addend.full;
  for (int64_t i = 0; i < (cm == 1 ? 1 : m); ++i)
    for (int64_t j = 0; j < n; ++j) out.push_back(beta * values[i * row_stride + j * col_stride]);
  return addend;
}

}  // namespace

std::unique_ptr<Kernel> make_onednn_gemm(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (node.op_type != "Gemm" || !node.domain.empty() || node.inputs.size() < 2 ||
      info.input_types.size() < 2)
    return nullptr;
  const ops::NodeContext ctx(node, info.opset);
  const ValueType* a_type = info.input_types[0];
  if (!a_type || !a_type->is_tensor() || a_type->element_type != ElementType::F32 ||
      !a_type->shape.is_static())
    return nullptr;
  const Tensor* b = constant_f32(info, 1);
  const bool has_c = ctx.has_input(2);
  const Tensor* c = has_c ? constant_f32(info, 2) : nullptr;
  if (!b || (has_c && !c) || (!has_c && info.opset < 11)) return nullptr;
  const Shape a = a_type->shape.to_shape();
  if (a.size() != 2 || b->rank() != 2) return nullptr;

  const ops::OpDef* def = ops::Registry::global().find("", "Gemm");
  if (!def || !def->reference) return nullptr;
  try {
    const bool ta = ctx.attr<int64_t>("transA", 0) != 0, tb = ctx.attr<int64_t>("transB", 0) != 0;
    const float alpha = ctx.attr<float>("alpha", 1.0f), beta = ctx.attr<float>("beta", 1.0f);
    const int64_t m = a[ta ? 1 : 0], k = a[ta ? 0 : 1], n = b->shape()[tb ? 0 : 1];
    if (b->shape()[tb ? 1 : 0] != k || m == 0 || k == 0 || n == 0) return nullptr;
    std::optional<Addend> addend;
    if (c) {
      addend = addend_of(ctx, *c, beta, m, n);
      if (!addend) return nullptr;
      if (beta == 0.0f) addend.reset();  // the reference ignores C then, NaNs included
    }
    if (!addend) addend.emplace();
    // A transposed operand is the same bytes with swapped strides: oneDNN reads it in place.
    const dnnl::memory::desc src({m, k}, dnnl::memory::data_type::f32,
                                 ta ? dnnl::memory::dims{1, m} : dnnl::memory::dims{k, 1});
    const dnnl::memory::desc weights({k, n}, dnnl::memory::data_type::f32,
                                     tb ? dnnl::memory::dims{1, k} : dnnl::memory::dims{n, 1});
    auto matmul = fastest<PackedMatMul>(info.inference_precision, [&](ElementType compute) {
      return std::make_unique<PackedMatMul>(src, weights, b->data(), alpha, plain_f32_desc({m, n}),
                                            compute, addend->row, addend->full);
    });
    if (!matmul) return nullptr;  // the reference runs
    return std::make_unique<GemmKernel>(a, *b, c, std::move(matmul), def->reference);
  } catch (const dnnl::error&) {
    return nullptr;  // oneDNN cannot describe the operands: the reference runs
  } catch (const Error&) {
    return nullptr;  // an attribute of the wrong kind: the reference reports it
  }
}

}  // namespace tandem::cpu
