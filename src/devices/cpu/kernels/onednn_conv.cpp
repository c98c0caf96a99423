// oneDNN convolution for ONNX Conv and tandem's FusedConv (f32; 1-D to 3-D; groups, strides,
// dilations, pads, auto_pad; optional bias; FusedConv's residual sum and activation as oneDNN
// post-ops): primitive created and weights packed into oneDNN's layout once, at compile time.
// Under INFERENCE_PRECISION_HINT=bf16 the convolution takes bf16 src and weights (weights rounded
// once when packed, src on every run by the reorder into the primitive's layout) and accumulates,
// adds the bias, runs the post-ops and writes dst in f32.
#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_activation.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_layout.h"
#include "ops/nn/fused_conv.h"
#include "ops/nn/window.h"
#include "ops/op.h"
#include "ops/registry.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// The plain layout of W [M, C/group, kernel...], seen by oneDNN as [group, M/group, C/group,
// kernel...] when grouped.
Tag weights_tag(size_t rank, bool grouped) {
  static constexpr Tag kPlain[] = {Tag::oiw, Tag::oihw, Tag::oidhw};
  static constexpr Tag kGrouped[] = {Tag::goiw, Tag::goihw, Tag::goidhw};
  return grouped ? kGrouped[rank - 3] : kPlain[rank - 3];
}

// What FusedConv adds after the convolution: dst = activation(conv + dst) where `sum`, the
// residual, was placed in dst before the primitive runs.
struct Fusion {
  bool sum = false;
  ops::Activation activation;
};

// What oneDNN needs to know of one Conv node, all sizes known.
struct ConvShape {
  Shape src, dst;
  memory::dims weights;  // [M, C, k...] or [group, M/group, C/group, k...]
  memory::dims strides, dilations, pad_begin, pad_end;  // dilations as oneDNN counts them: d - 1
  int64_t group = 1;
};

// The geometry through the reference's own window code, so pads (auto_pad included) resolve the
// same way; nullopt where the node is malformed (the reference then reports it) or empty.
std::optional<ConvShape> conv_shape(const NodeInfo& info, const Shape& x, const Shape& w) {
  ops::NodeContext ctx(info.node, info.opset);
  ConvShape s;
  ops::Window window;
  std::vector<int64_t> out;
  try {
    s.group = ctx.attr<int64_t>("group", 1);
    window = ops::conv_window(ctx, PartialShape(x), PartialShape(w), out);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (window.rank() != x.size() - 2 || out.size() != x.size()) return std::nullopt;
  const auto positive = [](int64_t d) { return d > 0; };
  if (!std::all_of(x.begin(), x.end(), positive) || !std::all_of(out.begin(), out.end(), positive))
    return std::nullopt;
  s.src = x;
  s.dst = out;
  if (s.group > 1) s.weights = {s.group, w[0] / s.group};
  s.weights.insert(s.weights.end(), w.begin() + (s.group > 1 ? 1 : 0), w.end());
  for (size_t i = 0; i < window.rank(); ++i) {
    s.strides.push_back(window.strides[i]);
    s.dilations.push_back(window.dilations[i] - 1);
    s.pad_begin.push_back(window.pad_begin(i));
    s.pad_end.push_back(window.pad_end(i));
  }
  return s;
}

// Whether some output's window reads padding only (wide pads, or dilations stepping over a
// small input).
bool has_padding_only_outputs(const ConvShape& s) {
  const size_t spatial = s.strides.size();
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t kernel = s.weights[s.weights.size() - spatial + i], in = s.src[2 + i];
    for (int64_t o = 0; o < s.dst[2 + i]; ++o) {
      bool reads_input = false;
      for (int64_t k = 0; k < kernel && !reads_input; ++k) {
        const int64_t at = o * s.strides[i] - s.pad_begin[i] + k * (s.dilations[i] + 1);
        reads_input = at >= 0 && at < in;
      }
      if (!reads_input) return true;
    }
  }
  return false;
}

// The primitive for `shape` with weights in oneDNN's preferred layout (packed once) and
// activations in `src` and `dst` (format any: oneDNN's choice, reordered to and from the plain
// tensors in run() unless blocked layouts flow); weights in src's type (f32 or bf16), bias in f32.
// Nullopt where oneDNN has nothing better than its naive "ref" loops, which our reference (im2col
// and GEMM) beats.
std::optional<dnnl::convolution_forward::primitive_desc> primitive_desc(const ConvShape& shape,
                                                                        bool has_bias,
                                                                        const Fusion& fusion,
                                                                        const memory::desc& src,
                                                                        const memory::desc& dst) {
  using dt = memory::data_type;
  const memory::desc weights(shape.weights, src.data_type(), Tag::any);
  const auto kind = dnnl::prop_kind::forward_inference;
  const auto algorithm = dnnl::algorithm::convolution_direct;
  const auto desc =
      has_bias ? dnnl::convolution_forward::desc(
                     kind, algorithm, src, weights, memory::desc({shape.dst[1]}, dt::f32, Tag::x),
                     dst, shape.strides, shape.dilations, shape.pad_begin, shape.pad_end)
               : dnnl::convolution_forward::desc(kind, algorithm, src, weights, dst, shape.strides,
                                                 shape.dilations, shape.pad_begin, shape.pad_end);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread scratchpad, see run()
  dnnl::post_ops post_ops;
  if (fusion.sum) post_ops.append_sum(1.0f);
  if (!append_activation(post_ops, fusion.activation)) return std::nullopt;
  attr.set_post_ops(post_ops);
  dnnl::convolution_forward::primitive_desc pd(desc, attr, cpu_engine(), /*allow_empty=*/true);
  if (!pd) return std::nullopt;
  do {
    const std::string_view impl = pd.impl_info_str();
    if (impl.starts_with("ref")) return std::nullopt;
    // oneDNN 2.6's brgconv crashes running post-ops (sum then eltwise) on outputs whose window
    // reads padding only (found by the random fused cases); the next implementation is used
    // there instead. Real networks never have such outputs.
    if (!(impl.starts_with("brgconv") && post_ops.len() > 0 && has_padding_only_outputs(shape)))
      return pd;
  } while (pd.next_impl());
  return std::nullopt;
}

// One primitive with its layouts, for one OpenMP thread count. oneDNN's OpenMP kernels fix their
// team size when created: a primitive made on a 2-thread compiling thread, run by two 1-thread
// streams, starts two teams of 2 and oversubscribes the cores. So each thread count gets its own.
struct Variant {
  memory::desc src_md, dst_md, weights_md, scratchpad_md;
  dnnl::convolution_forward conv;
  // Where the activations are blocked; sum_reorder brings the residual into dst's layout.
  std::optional<dnnl::reorder> src_reorder, dst_reorder, sum_reorder;
  std::shared_ptr<const std::byte> weights;  // packed for weights_md
  size_t src_offset = 0, dst_offset = 0, scratchpad_offset = 0, workspace_bytes = 0;
};

// The residual into dst, where the sum post-op adds it, when the two are not one (the residual is
// read again later, or the run is not the static executor's): split over the run's threads, as the
// convolution is. ResNet-50's residuals are 0.8-3.2 MB; copied by one thread they made a block's
// last 1x1 convolution take twice as long as without its Add. Both threads: 11.3-12.8 -> 10.4-10.7
// ms per bf16 inference, 21.4-21.7 -> 19.8-20.0 ms in f32 (tandem bench, A/B runs).
void copy_on_threads(void* to, const void* from, size_t bytes) {
  constexpr size_t kChunk = size_t(256) << 10;
  const auto chunks = int64_t((bytes + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    const size_t at = size_t(c) * kChunk;
    std::memcpy(static_cast<std::byte*>(to) + at, static_cast<const std::byte*>(from) + at,
                std::min(kChunk, bytes - at));
  }
}

// oneDNN wants blocked weights; packing once here keeps the request path free of copies.
std::shared_ptr<const std::byte> pack(memory from, const memory::desc& layout) {
  std::shared_ptr<std::byte> packed(allocate_aligned(layout.get_size()).release(), FreeAligned());
  memory to(layout, cpu_engine(), packed.get());
  dnnl::stream& stream = thread_stream();
  dnnl::reorder(from, to).execute(stream, from, to);
  stream.wait();
  return packed;
}

class OnednnConv final : public LayoutKernel {
 public:
  OnednnConv(const ConvShape& shape, bool has_bias, const Fusion& fusion,
             const dnnl::convolution_forward::primitive_desc& pd, const Tensor& weights,
             const Tensor* bias, ops::KernelFn reference)
      : shape_(shape),
        has_bias_(has_bias),
        fusion_(fusion),
        user_src_md_(shape.src, memory::data_type::f32, data_tag(shape.src.size())),
        user_dst_md_(shape.dst, memory::data_type::f32, data_tag(shape.dst.size())),
        user_weights_md_(shape.weights, memory::data_type::f32,
                         weights_tag(shape.src.size(), shape.group > 1)),
        reference_(reference),
        name_(std::string(fusion.sum || fusion.activation.kind != ops::ActivationKind::None
                              ? "onednn_fused_conv_"
                              : "onednn_conv_") +
              (pd.src_desc().data_type() == memory::data_type::bf16 ? "bf16:" : "f32:") +
              pd.impl_info_str()),
        primary_threads_(omp_get_max_threads()) {
    if (bias) {
      bias_md_ = pd.bias_desc();
      bias_.assign(bias->data<float>(), bias->data<float>() + bias->size());
    }
    const memory plain(user_weights_md_, cpu_engine(), const_cast<void*>(weights.data()));
    primary_ = make_variant(pd, plain, nullptr);
    // In bf16, a convolution whose output goes to another bf16 convolution writes it in bf16: it
    // is rounded there anyway, and half the bytes cross memory. ResNet-50's 1x1 convolutions are
    // bound by those bytes.
    if (pd.src_desc().data_type() == memory::data_type::bf16) {
      memory::desc bf16_dst = pd.dst_desc();
      bf16_dst.data.data_type = dnnl_bf16;
      bf16_dst_pd_ = primitive_desc(shape_, has_bias_, fusion_, pd.src_desc(), bf16_dst);
    }
    release_pages({static_cast<const std::byte*>(weights.data()), weights.byte_size()});
  }

  std::string_view name() const override { return name_; }

  std::optional<memory::desc> output_layout(size_t i) const override {
    if (i != 0) return std::nullopt;
    if (bf16_dst_pd_) return bf16_dst_pd_->dst_desc();
    if (!primary_->dst_reorder) return std::nullopt;
    return primary_->dst_md;
  }
  bool accepts_input(size_t i, const memory::desc& layout) const override {
    if (i == 0) return primary_->src_reorder && layout == primary_->src_md;
    // The residual in dst's layout, which the sum post-op reads in place.
    return fusion_.sum && i == ops::kFusedConvSumInput && layout == *output_layout(0);
  }
  void take_input(size_t i, const memory::desc&) override {
    (i == 0 ? src_blocked_ : sum_blocked_) = true;
    if (i == 0)
      name_ += " (blocked in)";
    else
      write_bf16();  // the residual arrives in the bf16 dst layout output_layout offers
  }
  void give_output(size_t) override {
    dst_blocked_ = true;
    write_bf16();
    name_ += " (blocked out)";
  }
  size_t output_bytes(size_t) const override { return dst_blocked_ ? primary_->dst_md.get_size() : 0; }
  // The sum post-op adds what dst holds: where the residual is in dst's layout and the primitive
  // writes dst itself, the residual's bytes can be dst, and nothing is copied.
  int in_place_input(size_t i) const override {
    const bool reorder_dst = primary_->dst_reorder && !dst_blocked_;
    const bool reorder_sum = primary_->sum_reorder && !sum_blocked_;
    return i == 0 && fusion_.sum && !reorder_dst && !reorder_sum ? int(ops::kFusedConvSumInput) : -1;
  }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // The primitive is fixed to the shapes known at compile time; should a run bring others (a
    // model whose declared shapes were wrong), the reference computes it rather than a wrong one.
    if (x.element_type() != ElementType::F32 || x.shape() != shape_.src) return reference_(ctx);
    const Tensor* sum = fusion_.sum ? &ctx.input(ops::kFusedConvSumInput) : nullptr;
    if (sum && (sum->element_type() != ElementType::F32 || sum->shape() != shape_.dst))
      return reference_(ctx);
    const Variant& v = variant(omp_get_max_threads());
    Tensor& y = pooled_output(ctx, 0, output_bytes(0));
    std::byte* workspace = thread_workspace(v.workspace_bytes);
    const void* x_data = x.data();
    const bool reorder_src = v.src_reorder && !src_blocked_;
    const bool reorder_dst = v.dst_reorder && !dst_blocked_;
    const void* src = reorder_src ? workspace + v.src_offset : x_data;
    void* dst = reorder_dst ? workspace + v.dst_offset : y.data();
    if (reorder_src)
      enqueue(*v.src_reorder, {{DNNL_ARG_FROM, &user_src_md_, x_data}, {DNNL_ARG_TO, &v.src_md, src}});
    // The sum post-op adds what dst holds: the residual, in dst's layout.
    if (sum && v.sum_reorder && !sum_blocked_) {
      enqueue(*v.sum_reorder, {{DNNL_ARG_FROM, &user_dst_md_, sum->data()}, {DNNL_ARG_TO, &v.dst_md, dst}});
    } else if (sum && sum->data() != dst) {
      copy_on_threads(dst, sum->data(), sum_blocked_ ? v.dst_md.get_size() : sum->byte_size());
    }
    const Arg bias{DNNL_ARG_BIAS, &bias_md_, bias_.data()};
    const Arg args[] = {{DNNL_ARG_SRC, &v.src_md, src},
                        {DNNL_ARG_WEIGHTS, &v.weights_md, v.weights.get()},
                        {DNNL_ARG_DST, &v.dst_md, dst},
                        {DNNL_ARG_SCRATCHPAD, &v.scratchpad_md, workspace + v.scratchpad_offset},
                        bias};
    enqueue(v.conv, std::span<const Arg>(args, has_bias_ ? 5 : 4));
    if (reorder_dst) enqueue(*v.dst_reorder, {{DNNL_ARG_FROM, &v.dst_md, dst}, {DNNL_ARG_TO, &user_dst_md_, y.data()}});
    thread_stream().wait();
  }

 private:
  // The primitive of `pd` with weights packed from `weights` (plain, or packed for `packed`'s
  // layout, reused as they are where the layouts agree).
  std::unique_ptr<Variant> make_variant(const dnnl::convolution_forward::primitive_desc& pd,
                                        const memory& weights, const Variant* packed) const {
    auto v = std::make_unique<Variant>();
    v->src_md = pd.src_desc();
    v->dst_md = pd.dst_desc();
    v->weights_md = pd.weights_desc();
    v->scratchpad_md = pd.scratchpad_desc();
    v->conv = dnnl::convolution_forward(pd);
    v->src_reorder = reorder_between(user_src_md_, v->src_md);
    v->dst_reorder = reorder_between(v->dst_md, user_dst_md_);
    if (fusion_.sum) v->sum_reorder = reorder_between(user_dst_md_, v->dst_md);
    v->weights = packed && packed->weights_md == v->weights_md ? packed->weights
                                                               : pack(weights, v->weights_md);
    // One workspace per run: blocked src, blocked dst, scratchpad, each cache-line aligned.
    size_t offset = 0;
    const auto take = [&](size_t bytes) {
      const size_t at = offset;
      offset += align_up(bytes);
      return at;
    };
    v->src_offset = v->src_reorder ? take(v->src_md.get_size()) : 0;
    v->dst_offset = v->dst_reorder ? take(v->dst_md.get_size()) : 0;
    v->scratchpad_offset = take(v->scratchpad_md.get_size());
    v->workspace_bytes = offset;
    return v;
  }

  // Switches to the bf16 dst offered by output_layout, keeping the packed weights.
  void write_bf16() {
    if (!bf16_dst_pd_ || primary_->dst_md == bf16_dst_pd_->dst_desc()) return;
    const memory packed(primary_->weights_md, cpu_engine(), const_cast<std::byte*>(primary_->weights.get()));
    primary_ = make_variant(*bf16_dst_pd_, packed, primary_.get());
    name_ += " (bf16 out)";
  }

  // The variant for the calling thread's OpenMP thread count: the compile-time one, or one made
  // on first use by a stream with another count (once; later runs only look it up).
  const Variant& variant(int threads) const {
    if (threads == primary_threads_) return *primary_;
    std::lock_guard lock(mutex_);
    auto [it, inserted] = variants_.try_emplace(threads);
    if (!inserted) return it->second ? *it->second : *primary_;
    try {
      // The compile-time layouts, which readers and writers of blocked values rely on.
      if (auto pd = primitive_desc(shape_, has_bias_, fusion_, primary_->src_md, primary_->dst_md)) {
        const memory packed(primary_->weights_md, cpu_engine(),
                            const_cast<std::byte*>(primary_->weights.get()));
        it->second = make_variant(*pd, packed, primary_.get());
      }
    } catch (const dnnl::error&) {
      // Null: this thread count runs the compile-time primitive, correct if oversubscribed.
    }
    return it->second ? *it->second : *primary_;
  }

  ConvShape shape_;
  bool has_bias_;
  Fusion fusion_;
  memory::desc user_src_md_, user_dst_md_, user_weights_md_, bias_md_;
  std::vector<float> bias_;
  ops::KernelFn reference_;
  std::string name_;
  int primary_threads_;
  std::unique_ptr<Variant> primary_;
  std::optional<dnnl::convolution_forward::primitive_desc> bf16_dst_pd_;  // bf16 src only
  // Set at compile time by assign_layouts: which activations pass in the primitive's layouts.
  bool src_blocked_ = false, sum_blocked_ = false, dst_blocked_ = false;
  mutable std::mutex mutex_;
  mutable std::map<int, std::unique_ptr<Variant>> variants_;
};

}  // namespace

// The op this kernel computes for `node`: Conv, or FusedConv with what it fuses; nullopt for
// other ops and for fusions oneDNN cannot express (a malformed activation, a residual whose type
// is not the output's).
std::optional<Fusion> fusion_of(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (node.op_type == "Conv" && (node.domain.empty() || node.domain == "ai.onnx")) return Fusion{};
  if (node.op_type != "FusedConv" || node.domain != ops::kTandemDomain) return std::nullopt;
  Fusion fusion;
  try {
    fusion.activation = ops::read_activation(ops::NodeContext(node, info.opset));
  } catch (const Error&) {
    return std::nullopt;
  }
  const size_t s = ops::kFusedConvSumInput;
  fusion.sum = node.inputs.size() > s && !node.inputs[s].empty();
  if (fusion.sum && (info.input_types.size() <= s || !is_static_f32(info.input_types[s]) ||
                     info.output_types.empty() || !info.output_types[0].is_tensor() ||
                     info.input_types[s]->shape != info.output_types[0].shape))
    return std::nullopt;
  return fusion;
}

std::unique_ptr<Kernel> make_onednn_conv(const NodeInfo& info) {
  const ir::Node& node = info.node;
  const std::optional<Fusion> fusion = fusion_of(info);
  if (!fusion) return nullptr;
  if (info.input_types.empty() || !is_static_f32(info.input_types[0])) return nullptr;
  const Shape x = info.input_types[0]->shape.to_shape();
  if (x.size() < 3 || x.size() > 5) return nullptr;
  const Tensor* w = constant_f32(info, 1);
  if (!w || w->rank() != x.size()) return nullptr;
  const bool has_bias = node.inputs.size() > 2 && !node.inputs[2].empty();
  const Tensor* bias = has_bias ? constant_f32(info, 2) : nullptr;
  if (has_bias && (!bias || bias->shape() != Shape{w->shape()[0]})) return nullptr;
  const std::optional<ConvShape> shape = conv_shape(info, x, w->shape());
  if (!shape) return nullptr;

  try {
    // Activations in oneDNN's preferred layout (blocked, nearly always), which then flows to the
    // next kernels that take it. oneDNN 2.6 has bf16 convolutions (bf16 src and weights, f32 dst)
    // where the CPU has avx512_core_bf16, which the bf16 hint already requires; should it have
    // none but its naive loops for some case, that node runs in f32, still faster than the
    // reference.
    const auto create = [&](memory::data_type compute) {
      return primitive_desc(*shape, has_bias, *fusion, memory::desc(shape->src, compute, Tag::any),
                            memory::desc(shape->dst, memory::data_type::f32, Tag::any));
    };
    std::optional<dnnl::convolution_forward::primitive_desc> pd;
    if (info.inference_precision == ElementType::BF16) pd = create(memory::data_type::bf16);
    if (!pd) pd = create(memory::data_type::f32);
    if (!pd) return nullptr;
    // A first layer (an RGB image) reads its plain input where oneDNN has a kernel for that,
    // writing the layout it would have chosen anyway (which the next layers take): reordering 3
    // channels into blocks of 16 writes five times the image, 0.5 ms in ResNet-50.
    if (shape->src[1] < 8 && shape->group == 1 && pd->src_desc().data_type() == memory::data_type::f32)
      if (auto plain = primitive_desc(
              *shape, has_bias, *fusion,
              memory::desc(shape->src, memory::data_type::f32, data_tag(x.size())), pd->dst_desc()))
        pd = plain;
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    return std::make_unique<OnednnConv>(*shape, has_bias, *fusion, *pd, *w, bias,
                                        def->reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
