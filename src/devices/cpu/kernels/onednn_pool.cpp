// oneDNN pooling for ONNX MaxPool (without its Indices output), AveragePool, GlobalAveragePool
// and GlobalMaxPool (f32; 1-D to 3-D; strides, pads, auto_pad, ceil_mode, dilations) on the
// plain tensors or on a convolution's blocked output, multithreaded where the reference runs one
// plane after another on one thread.
#include <algorithm>
#include <iterator>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_layout.h"
#include "ops/nn/pool_kernel.h"
#include "ops/registry.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;


// What oneDNN needs to know of one pooling node, all sizes known.
struct PoolShape {
  Shape src, dst;
  memory::dims kernel, strides, dilations, pad_begin, pad_end;  // dilations as oneDNN's: d - 1
  dnnl::algorithm algorithm = dnnl::algorithm::pooling_max;
};

bool is_global(const ir::Node& node) {
  return node.op_type == "GlobalAveragePool" || node.op_type == "GlobalMaxPool";
}

// The geometry through the reference's own window code (auto_pad and ceil_mode resolve the same
// way); nullopt where the node is malformed (the reference then reports it), empty, or has no
// oneDNN equivalent.
std::optional<PoolShape> pool_shape(const NodeInfo& info, const Shape& x) {
  const ir::Node& node = info.node;
  PoolShape s;
  s.src = x;
  if (is_global(node)) {
    s.dst = {x[0], x[1]};
    for (size_t i = 2; i < x.size(); ++i) {
      s.dst.push_back(1);
      s.kernel.push_back(x[i]);
      s.strides.push_back(1);
      s.dilations.push_back(0);
      s.pad_begin.push_back(0);
      s.pad_end.push_back(0);
    }
    s.algorithm = node.op_type == "GlobalMaxPool" ? dnnl::algorithm::pooling_max
                                                  : dnnl::algorithm::pooling_avg_exclude_padding;
    return s;
  }
  const bool max = node.op_type == "MaxPool";
  const ops::NodeContext ctx(node, info.opset);
  ops::Window window;
  std::vector<int64_t> out;
  bool include_pad = false;
  try {
    // The versions that read ceil_mode and dilations, as the ops decide (max_pool.cpp,
    // average_pool.cpp).
    window = ops::pool_window(ctx, PartialShape(x), info.opset >= 10,
                              max ? info.opset >= 10 : info.opset >= 19, out);
    include_pad = !max && info.opset >= 7 && ctx.attr<int64_t>("count_include_pad", 0) != 0;
  } catch (const Error&) {
    return std::nullopt;
  }
  if (window.rank() != x.size() - 2 || out.size() != x.size()) return std::nullopt;
  if (!std::all_of(out.begin(), out.end(), [](int64_t d) { return d > 0; })) return std::nullopt;
  s.dst = out;
  s.algorithm = max           ? dnnl::algorithm::pooling_max
                : include_pad ? dnnl::algorithm::pooling_avg_include_padding
                              : dnnl::algorithm::pooling_avg_exclude_padding;
  for (size_t i = 0; i < window.rank(); ++i) {
    s.kernel.push_back(window.kernel[i]);
    s.strides.push_back(window.strides[i]);
    s.dilations.push_back(window.dilations[i] - 1);
    s.pad_begin.push_back(window.pad_begin(i));
    // oneDNN wants the end padding the output size implies: ceil_mode's extra window reaches
    // past the pads, and a floor that drops a window needs less than the pads.
    const int64_t reach = (out[2 + i] - 1) * window.strides[i] + window.extent(i);
    const int64_t end = reach - x[2 + i] - window.pad_begin(i);
    // With count_include_pad ONNX counts the pads but not the reach beyond them; oneDNN would
    // count both.
    if (include_pad && end > window.pad_end(i)) return std::nullopt;
    s.pad_end.push_back(std::max<int64_t>(end, 0));
  }
  return s;
}

// The primitive for `shape` reading `src`, writing dst in `dst_tag` (any: src's layout) and src's
// element type: a pooling between bf16 convolutions (the bf16 hint) keeps their bf16.
dnnl::pooling_v2_forward::primitive_desc primitive_desc(const PoolShape& shape,
                                                        const memory::desc& src, Tag dst_tag) {
  const memory::desc dst(shape.dst, src.data_type(), dst_tag);
  const dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, shape.algorithm,
                                            src, dst, shape.strides, shape.kernel,
                                            shape.dilations, shape.pad_begin, shape.pad_end);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread, see run()
  return dnnl::pooling_v2_forward::primitive_desc(desc, attr, cpu_engine());
}

class OnednnPool final : public LayoutKernel {
 public:
  OnednnPool(const PoolShape& shape, const dnnl::pooling_v2_forward::primitive_desc& pd,
             ops::KernelFn reference)
      : shape_(shape),
        user_dst_md_(pd.dst_desc()),
        reference_(reference),
        name_(std::string("onednn_pool_f32:") + pd.impl_info_str()) {
    use(pd);
  }

  std::string_view name() const override { return name_; }

  std::optional<memory::desc> output_layout(size_t i) const override {
    if (i != 0 || !dst_reorder_) return std::nullopt;
    return dst_md_;
  }
  // Pooling works on any layout oneDNN has a fast kernel for, and keeps it for its output.
  bool accepts_input(size_t i, const memory::desc& layout) const override {
    try {
      return i == 0 && !is_naive(primitive_desc(shape_, layout, Tag::any));
    } catch (const dnnl::error&) {
      return false;
    }
  }
  void take_input(size_t, const memory::desc& layout) override {
    use(primitive_desc(shape_, layout, Tag::any));
    src_blocked_ = true;
    name_ += " (blocked in)";
    if (layout.data_type() == memory::data_type::bf16) name_ += " (bf16)";
  }
  void give_output(size_t) override {
    dst_blocked_ = true;
    name_ += " (blocked out)";
  }
  size_t output_bytes(size_t) const override { return dst_blocked_ ? dst_md_.get_size() : 0; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // The primitive is fixed to the shapes known at compile time; other shapes at run time (a
    // model whose declared shapes were wrong) go to the reference.
    if (x.element_type() != ElementType::F32 || x.shape() != shape_.src) return reference_(ctx);
    Tensor& y = pooled_output(ctx, 0, output_bytes(0));
    const bool reorder_dst = dst_reorder_ && !dst_blocked_;
    const size_t scratchpad_bytes = align_up(scratchpad_md_.get_size());
    std::byte* workspace =
        thread_workspace(scratchpad_bytes + (reorder_dst ? dst_md_.get_size() : 0));
    void* dst = reorder_dst ? workspace + scratchpad_bytes : y.data();
    enqueue(pool_, {{DNNL_ARG_SRC, &src_md_, x.data()},
                    {DNNL_ARG_DST, &dst_md_, dst},
                    {DNNL_ARG_SCRATCHPAD, &scratchpad_md_, workspace}});
    if (reorder_dst) enqueue(*dst_reorder_, {{DNNL_ARG_FROM, &dst_md_, dst}, {DNNL_ARG_TO, &user_dst_md_, y.data()}});
    thread_stream().wait();
    // oneDNN's pooling leaves the padded channels of a blocked dst unwritten, and y's buffer is
    // recycled: its readers need them zero.
    if (dst_blocked_ && has_padding(dst_md_)) zero_padding(dst_md_, y.data());
  }

 private:
  void use(const dnnl::pooling_v2_forward::primitive_desc& pd) {
    src_md_ = pd.src_desc();
    dst_md_ = pd.dst_desc();
    scratchpad_md_ = pd.scratchpad_desc();
    pool_ = dnnl::pooling_v2_forward(pd);
    dst_reorder_.reset();
    if (dst_md_ != user_dst_md_)
      dst_reorder_ = dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), dst_md_,
                                                                 cpu_engine(), user_dst_md_));
  }

  PoolShape shape_;
  memory::desc user_dst_md_, src_md_, dst_md_, scratchpad_md_;
  dnnl::pooling_v2_forward pool_;
  std::optional<dnnl::reorder> dst_reorder_;  // where dst is blocked and its reader wants it plain
  ops::KernelFn reference_;
  std::string name_;
  // Set at compile time by assign_layouts.
  bool src_blocked_ = false, dst_blocked_ = false;
};

}  // namespace

std::unique_ptr<Kernel> make_onednn_pool(const NodeInfo& info) {
  const ir::Node& node = info.node;
  static const std::string_view kOps[] = {"MaxPool", "AveragePool", "GlobalAveragePool",
                                          "GlobalMaxPool"};
  if (!(node.domain.empty() || node.domain == "ai.onnx") ||
      std::find(std::begin(kOps), std::end(kOps), node.op_type) == std::end(kOps))
    return nullptr;
  // MaxPool's Indices output is not what oneDNN's workspace holds.
  if (node.outputs.size() > 1 && !node.outputs[1].empty()) return nullptr;
  if (info.input_types.empty() || !is_static_f32(info.input_types[0])) return nullptr;
  const Shape x = info.input_types[0]->shape.to_shape();
  if (x.size() < 3 || x.size() > 5 || shape_size(x) == 0) return nullptr;
  const std::optional<PoolShape> shape = pool_shape(info, x);
  if (!shape) return nullptr;
  try {
    const memory::desc src(shape->src, memory::data_type::f32, data_tag(x.size()));
    const auto pd = primitive_desc(*shape, src, data_tag(x.size()));
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    return std::make_unique<OnednnPool>(*shape, pd, def->reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
