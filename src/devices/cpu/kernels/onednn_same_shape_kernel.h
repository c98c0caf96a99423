// A kernel around a memory-bound oneDNN primitive with one input and one output of the same
// shape (eltwise, softmax): primitive created at compile time, run on the request's tensors.
// An elementwise primitive also passes blocked layouts: it runs over the blocked buffer as one
// flat array, padding included (what f does there is undone, see run()), and its output keeps the
// input's layout. Softmax, which mixes the elements of a row, stays on plain tensors.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_layout.h"
#include "ops/op.h"

namespace tandem::cpu {

template <class Primitive>
class OnednnSameShapeKernel final : public LayoutKernel {
 public:
  using PrimitiveDesc = typename Primitive::primitive_desc;
  /// An elementwise primitive over `elements` f32 values side by side.
  using FlatPrimitive = std::function<PrimitiveDesc(dnnl::memory::dim elements)>;

  /// On plain tensors only.
  OnednnSameShapeKernel(std::string_view kind, Shape x, const PrimitiveDesc& pd,
                        ops::KernelFn reference)
      : x_(std::move(x)),
        md_(pd.src_desc()),
        scratchpad_md_(pd.scratchpad_desc()),
        primitive_(pd),
        reference_(reference),
        name_(std::string("onednn_") + std::string(kind) + "_f32:" + pd.impl_info_str()) {}

  /// Elementwise: on plain tensors or on any dense blocked layout.
  OnednnSameShapeKernel(std::string_view kind, Shape x, FlatPrimitive flat,
                        ops::KernelFn reference)
      : OnednnSameShapeKernel(kind, x, flat(dnnl::memory::dim(shape_size(x))), reference) {
    flat_ = std::move(flat);
  }

  std::string_view name() const override { return name_; }

  std::optional<dnnl::memory::desc> output_layout(size_t i) const override {
    if (i != 0) return std::nullopt;
    return layout_;
  }
  bool accepts_input(size_t i, const dnnl::memory::desc& layout) const override {
    return i == 0 && flat_ && x_.size() >= 3 && x_.size() <= 5 && is_dense(layout) &&
           layout.dims() == dnnl::memory::dims(x_.begin(), x_.end());
  }
  void take_input(size_t, const dnnl::memory::desc& layout) override {
    layout_ = layout;
    const PrimitiveDesc pd = flat_(dnnl::memory::dim(layout.get_size() / sizeof(float)));
    blocked_md_ = pd.src_desc();
    blocked_scratchpad_md_ = pd.scratchpad_desc();
    blocked_primitive_ = Primitive(pd);
    // For a reader that wants the output plain: the input reordered into it, then f in place.
    plain_md_ = dnnl::memory::desc(layout.dims(), dnnl::memory::data_type::f32,
                                   data_tag(x_.size()));
    to_plain_ = dnnl::reorder(
        dnnl::reorder::primitive_desc(cpu_engine(), layout, cpu_engine(), plain_md_));
    name_ += " (blocked in)";
  }
  void give_output(size_t) override {
    output_blocked_ = true;
    name_ += " (blocked out)";
  }
  size_t output_bytes(size_t) const override { return layout_ && output_blocked_ ? layout_->get_size() : 0; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // The primitive is fixed to the shape known at compile time; other shapes at run time (a
    // model whose declared shapes were wrong) go to the reference.
    if (x.element_type() != ElementType::F32 || x.shape() != x_) return reference_(ctx);
    const void* x_data = x.data();
    if (layout_ && output_blocked_) {
      Tensor& y = pooled_output(ctx, 0, output_bytes(0));
      execute(blocked_primitive_, blocked_md_, blocked_scratchpad_md_, x_data, y.data());
      // f(0) may be other than 0 (sigmoid's 0.5, reciprocal's inf), and readers (a convolution,
      // whose zero weights would turn an inf there into NaN everywhere) need the padding zero.
      if (has_padding(*layout_)) zero_padding(*layout_, y.data());
      return;
    }
    Tensor& y = pooled_output(ctx, 0);
    if (layout_) {
      execute_memory_bound(*to_plain_, {{DNNL_ARG_FROM, &*layout_, x_data}, {DNNL_ARG_TO, &plain_md_, y.data()}},
                           x.size());
      x_data = y.data();
    }
    execute(primitive_, md_, scratchpad_md_, x_data, y.data());
  }

 private:
  void execute(const Primitive& primitive, const dnnl::memory::desc& md,
               const dnnl::memory::desc& scratchpad_md, const void* src, void* dst) const {
    execute_memory_bound(primitive,
                         {{DNNL_ARG_SRC, &md, src},
                          {DNNL_ARG_DST, &md, dst},
                          {DNNL_ARG_SCRATCHPAD, &scratchpad_md, thread_workspace(scratchpad_md.get_size())}},
                         size_t(md.get_size() / sizeof(float)));
  }

  Shape x_;
  dnnl::memory::desc md_, scratchpad_md_;
  Primitive primitive_;
  ops::KernelFn reference_;
  std::string name_;
  FlatPrimitive flat_;  // set for elementwise primitives, which may take blocked layouts
  // Set at compile time by assign_layouts: the layout x arrives in, if blocked, and the primitive
  // over its padded size.
  std::optional<dnnl::memory::desc> layout_;
  dnnl::memory::desc blocked_md_, blocked_scratchpad_md_, plain_md_;
  Primitive blocked_primitive_;
  std::optional<dnnl::reorder> to_plain_;
  bool output_blocked_ = false;
};

}  // namespace tandem::cpu
