// One reorder primitive, planned for the shapes and constants known at compile time.
#include "devices/cpu/kernels/onednn_strided_copy.h"

#include <string>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/onednn_common.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;

class OnednnStridedCopy final : public execution::Kernel {
 public:
  OnednnStridedCopy(std::string_view op, Shape x, std::vector<const void*> constants, const memory::desc& src,
                    const dnnl::reorder::primitive_desc& pd, ops::KernelFn reference)
      : x_(std::move(x)),
        constants_(std::move(constants)),
        src_(src),
        dst_(pd.dst_desc()),
        reorder_(pd),
        reference_(reference),
        name_("onednn_" + std::string(op) + "_f32:" + pd.impl_info_str()) {}

  std::string_view name() const override { return name_; }

  void run(ops::KernelContext& ctx) const override {
    if (!is_planned_run(ctx, x_, constants_)) return reference_(ctx);
    const Tensor& x = ctx.input(0);
    Tensor& y = pooled_output(ctx, 0);
    execute_memory_bound(reorder_, {{DNNL_ARG_FROM, &src_, x.data()}, {DNNL_ARG_TO, &dst_, y.data()}},
                         size_t(y.size()));
  }

 private:
  Shape x_;
  std::vector<const void*> constants_;
  memory::desc src_, dst_;
  dnnl::reorder reorder_;
  ops::KernelFn reference_;
  std::string name_;
};

}  // namespace

std::unique_ptr<execution::Kernel> make_strided_copy(std::string_view op, Shape x, std::vector<const void*> constants,
                                                     const memory::dims& dims, const memory::dims& strides,
                                                     int64_t offset, ops::KernelFn reference) {
  try {
    memory::desc view(dims, memory::data_type::f32, strides);
    view.data.offset0 = offset;
    const dnnl::reorder::primitive_desc pd(cpu_engine(), view, cpu_engine(), plain_f32_desc(view.dims()));
    // oneDNN's naive loops are no faster than the reference's strided copy.
    if (is_naive(pd)) return nullptr;
    return std::make_unique<OnednnStridedCopy>(op, std::move(x), std::move(constants), view, pd, reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
