// A kernel around a memory-bound oneDNN primitive with one input and one output of the same
// shape (eltwise, softmax): primitive created at compile time, run on the request's tensors.
#pragma once

#include <string>
#include <utility>

#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "ops/op.h"

namespace tandem::cpu {

template <class Primitive>
class OnednnSameShapeKernel final : public Kernel {
 public:
  OnednnSameShapeKernel(std::string_view kind, Shape x, const typename Primitive::primitive_desc& pd,
                        ops::KernelFn reference)
      : x_(std::move(x)),
        md_(pd.src_desc()),
        scratchpad_md_(pd.scratchpad_desc()),
        primitive_(pd),
        reference_(reference),
        name_(std::string("onednn_") + std::string(kind) + "_f32:" + pd.impl_info_str()) {}

  std::string_view name() const override { return name_; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // The primitive is fixed to the shape known at compile time; other shapes at run time (a
    // model whose declared shapes were wrong) go to the reference.
    if (x.element_type() != ElementType::F32 || x.shape() != x_) return reference_(ctx);
    const dnnl::engine& engine = cpu_engine();
    execute_memory_bound(
        primitive_,
        {{DNNL_ARG_SRC, dnnl::memory(md_, engine, const_cast<void*>(x.data()))},
         {DNNL_ARG_DST, dnnl::memory(md_, engine, ctx.output(0).data())},
         {DNNL_ARG_SCRATCHPAD, dnnl::memory(scratchpad_md_, engine, thread_workspace(scratchpad_md_.get_size()))}},
        x.size());
  }

 private:
  Shape x_;
  dnnl::memory::desc md_, scratchpad_md_;
  Primitive primitive_;
  ops::KernelFn reference_;
  std::string name_;
};

}  // namespace tandem::cpu
