// oneDNN concatenation for ONNX Concat of f32 tensors of static shapes: on plain tensors along any
// axis (oneDNN copies the rows on every thread, the reference on one), and along the channels of
// values in a convolution's blocked layout, whose output stays blocked (a SqueezeNet fire module
// joins its two expand convolutions and feeds the next convolution). oneDNN copies whole channel
// blocks where every input's channels fill its blocks (nChw16c: multiples of 16; channels last:
// always); other blocked inputs would need its reference loops and stay plain.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_layout.h"
#include "ops/node_context.h"
#include "ops/registry.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;

memory::dims dims_of(const Shape& shape) { return memory::dims(shape.begin(), shape.end()); }

class OnednnConcat final : public LayoutKernel {
 public:
  OnednnConcat(std::vector<Shape> inputs, int axis, const std::vector<memory::desc>& plain,
               const memory::desc& plain_dst, const dnnl::concat::primitive_desc& pd,
               ops::KernelFn reference)
      : inputs_(std::move(inputs)),
        axis_(axis),
        plain_(plain),
        plain_dst_(plain_dst),
        arriving_(plain),
        reference_(reference) {
    use(pd);
  }

  std::string_view name() const override { return name_; }

  std::optional<memory::desc> output_layout(size_t i) const override {
    if (i != 0 || dst_md_ == plain_dst_) return std::nullopt;
    return dst_md_;
  }
  // Along the channels, in a format every input can take without padding between them; the
  // inputs that arrive plain are reordered to it.
  bool accepts_input(size_t i, const memory::desc& layout) const override {
    if (axis_ != 1 || i >= inputs_.size() || layout.dims() != plain_[i].dims()) return false;
    for (size_t j = 0; j < inputs_.size(); ++j) {
      const std::optional<memory::desc> matching = same_format(layout, plain_[j].dims());
      if (!matching || has_padding(*matching)) return false;
      if (j != i && arriving_[j] != plain_[j] && arriving_[j] != *matching) return false;
    }
    std::vector<memory::desc> arriving = arriving_;
    arriving[i] = layout;
    try {
      return !is_naive(primitive_desc(arriving));
    } catch (const dnnl::error&) {
      return false;
    }
  }
  void take_input(size_t i, const memory::desc& layout) override {
    arriving_[i] = layout;
    use(primitive_desc(arriving_));
  }
  void give_output(size_t) override {
    dst_blocked_ = true;
    name_ += " (blocked out)";
  }
  size_t output_bytes(size_t) const override { return dst_blocked_ ? dst_md_.get_size() : 0; }

  void run(ops::KernelContext& ctx) const override {
    // The primitive is fixed to the shapes known at compile time; other shapes at run time (a
    // model whose declared shapes were wrong) go to the reference.
    if (ctx.num_inputs() != inputs_.size()) return reference_(ctx);
    for (size_t i = 0; i < inputs_.size(); ++i)
      if (ctx.input(i).element_type() != ElementType::F32 || ctx.input(i).shape() != inputs_[i])
        return reference_(ctx);
    Tensor& y = pooled_output(ctx, 0, output_bytes(0));
    const bool reorder_dst = dst_reorder_ && !dst_blocked_;
    std::byte* workspace = thread_workspace(dst_offset_ + (reorder_dst ? dst_md_.get_size() : 0));
    // Scratchpad, sources, dst; grown once per thread to the widest concat.
    thread_local std::vector<Arg> args;
    args.assign(inputs_.size() + 2, Arg{DNNL_ARG_SCRATCHPAD, &scratchpad_md_, workspace});
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Tensor& x = ctx.input(i);
      const void* source = x.data();
      if (src_reorders_[i]) {
        execute_memory_bound(*src_reorders_[i],
                             {{DNNL_ARG_FROM, &arriving_[i], source}, {DNNL_ARG_TO, &src_md_[i], workspace + offsets_[i]}},
                             x.size());
        source = workspace + offsets_[i];
      }
      args[i + 1] = {DNNL_ARG_MULTIPLE_SRC + int(i), &src_md_[i], source};
    }
    void* dst = reorder_dst ? workspace + dst_offset_ : y.data();
    args.back() = {DNNL_ARG_DST, &dst_md_, dst};
    // Copied in short runs (a pixel's channels, input by input, in channels-last layouts), an
    // element costs about four of a reorder's streaming copy: so counted, SqueezeNet's fire
    // modules (0.2-0.4 M elements) get both threads, 2.70 -> 2.35 ms per inference in A/B runs.
    execute_memory_bound(concat_, args, 4 * y.size());
    if (dst_blocked_ && has_padding(dst_md_)) zero_padding(dst_md_, y.data());
    if (reorder_dst)
      execute_memory_bound(*dst_reorder_,
                           {{DNNL_ARG_FROM, &dst_md_, dst}, {DNNL_ARG_TO, &plain_dst_, y.data()}},
                           y.size());
  }

 private:
  // The primitive for inputs arriving in `arriving`: all plain while every input is; else every
  // input and dst in the format of the blocked ones (accepts_input keeps that one format).
  // Throws dnnl::error where oneDNN has none.
  dnnl::concat::primitive_desc primitive_desc(const std::vector<memory::desc>& arriving) const {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread, see run()
    const auto blocked = std::mismatch(arriving.begin(), arriving.end(), plain_.begin()).first;
    if (blocked == arriving.end())
      return dnnl::concat::primitive_desc(plain_dst_, axis_, plain_, cpu_engine(), attr);
    std::vector<memory::desc> sources;
    for (const memory::desc& plain : plain_)
      sources.push_back(same_format(*blocked, plain.dims()).value());
    return dnnl::concat::primitive_desc(same_format(*blocked, plain_dst_.dims()).value(), axis_,
                                        sources, cpu_engine(), attr);
  }

  void use(const dnnl::concat::primitive_desc& pd) {
    concat_ = dnnl::concat(pd);
    scratchpad_md_ = pd.scratchpad_desc();
    src_md_.clear();
    src_reorders_.clear();
    for (size_t i = 0; i < inputs_.size(); ++i) {
      src_md_.push_back(pd.src_desc(int(i)));
      src_reorders_.push_back(reorder_between(arriving_[i], src_md_[i]));
    }
    dst_md_ = pd.dst_desc();
    dst_reorder_ = reorder_between(dst_md_, plain_dst_);
    // One workspace for the scratchpad, the inputs reordered and dst before its reorder.
    offsets_.assign(inputs_.size(), 0);
    size_t end = align_up(scratchpad_md_.get_size());
    for (size_t i = 0; i < inputs_.size(); ++i) {
      offsets_[i] = end;
      if (src_reorders_[i]) end += align_up(src_md_[i].get_size());
    }
    dst_offset_ = end;
    name_ = std::string("onednn_concat_f32:") + pd.impl_info_str();
    if (arriving_ != plain_) name_ += " (blocked in)";
  }

  std::vector<Shape> inputs_;
  int axis_;
  std::vector<memory::desc> plain_;
  memory::desc plain_dst_;
  std::vector<memory::desc> arriving_;  // the layouts the inputs arrive in
  std::vector<memory::desc> src_md_;    // the layouts the primitive reads
  memory::desc dst_md_, scratchpad_md_;
  dnnl::concat concat_;
  // Where an input arrives plain beside blocked ones, or the primitive writes dst blocked for a
  // reader that wants it plain.
  std::vector<std::optional<dnnl::reorder>> src_reorders_;
  std::optional<dnnl::reorder> dst_reorder_;
  std::vector<size_t> offsets_;  // of the reordered inputs in the workspace
  size_t dst_offset_ = 0;
  bool dst_blocked_ = false;  // set at compile time by assign_layouts
  ops::KernelFn reference_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> make_onednn_concat(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (!(node.domain.empty() || node.domain == "ai.onnx") || node.op_type != "Concat" ||
      node.inputs.empty() || node.outputs.size() != 1 ||
      info.input_types.size() != node.inputs.size() || info.output_types.size() != 1 ||
      !is_static_f32(&info.output_types[0]))
    return nullptr;
  std::vector<Shape> inputs;
  for (const ValueType* type : info.input_types) {
    if (!is_static_f32(type)) return nullptr;
    inputs.push_back(type->shape.to_shape());
  }
  const Shape y = info.output_types[0].shape.to_shape();
  const auto rank = int64_t(y.size());
  if (rank == 0 || rank > DNNL_MAX_NDIMS || shape_size(y) == 0) return nullptr;
  // oneDNN wants every input non-empty; the reference skips empty ones.
  for (const Shape& shape : inputs)
    if (int64_t(shape.size()) != rank || shape_size(shape) == 0) return nullptr;
  int64_t axis = 0;
  try {
    // Opset 1 defaulted the axis to 1; opset 4 made it required.
    const ops::NodeContext ctx(node, info.opset);
    axis = info.opset < 4 ? ctx.attr<int64_t>("axis", 1) : ctx.attr<int64_t>("axis");
  } catch (const Error&) {
    return nullptr;  // a missing or malformed axis: the reference reports it
  }
  if (axis < -rank || axis >= rank) return nullptr;
  if (axis < 0) axis += rank;
  try {
    std::vector<memory::desc> plain;
    for (const Shape& shape : inputs) plain.push_back(plain_f32_desc(dims_of(shape)));
    const memory::desc plain_dst = plain_f32_desc(dims_of(y));
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread, see run()
    const dnnl::concat::primitive_desc pd(plain_dst, int(axis), plain, cpu_engine(), attr);
    // oneDNN's naive loops, where its copy of whole rows does not apply, are no faster than ours.
    if (is_naive(pd)) return nullptr;
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    return std::make_unique<OnednnConcat>(std::move(inputs), int(axis), plain, plain_dst, pd,
                                          def->reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
