// oneDNN kernel for tandem's MultiHeadAttention (ops/attention/multi_head_attention.h) on f32
// tensors of static shapes, which moves no tensor into another layout: Q.K^T reads Q and K where
// the projections wrote them through strided memory descriptors, scales as it writes (an output
// scale) and adds the mask as a post-op; the softmax runs over the scores in the thread's
// workspace; P.V writes Y in its [B, S, H, D] layout through a strided destination. Under
// INFERENCE_PRECISION_HINT=bf16 both products take bf16 operands (Q, K and V rounded on every
// run, as the other matmul kernels round theirs, and P written in bf16 by the softmax) and
// accumulate in f32; the scores and Y stay f32.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_matmul_primitive.h"
#include "ops/attention/multi_head_attention.h"
#include "ops/node_context.h"
#include "ops/registry.h"
#include "ops/tandem_domain.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;

// One attention's sizes; 3-D inputs have a batch of 1.
struct Sizes {
  memory::dim batch, heads, q_len, kv_len, head_size, v_head_size;
};

// A [B, S, H, D] tensor seen as [B, H, S, D] where it lies, or with `transposed` as [B, H, D, S]
// (K^T): only the strides differ.
memory::desc heads_first(memory::dim batch, memory::dim len, memory::dim heads, memory::dim size,
                         memory::data_type type, bool transposed = false) {
  const memory::dim row = heads * size;
  if (transposed) return memory::desc({batch, heads, size, len}, type, {len * row, size, 1, row});
  return memory::desc({batch, heads, len, size}, type, {len * row, size, row, 1});
}

// Attributes with a user scratchpad, one per thread, see run(). A fresh object each: copies of a
// dnnl::primitive_attr share what they set.
dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// Where each buffer of a run lies in the thread's workspace, in bytes from its start.
struct Workspace {
  size_t scores = 0, probs = 0, q = 0, k = 0, v = 0, scratchpad = 0, total = 0;
  size_t take(size_t bytes) {
    const size_t at = total;
    total += align_up(bytes);
    return at;
  }
};

class OnednnAttention final : public Kernel {
 public:
  // `inputs` are the shapes of Q, K, V and the mask if there is one, `mask` the mask's shape
  // with ones prepended to rank 4. Throws dnnl::error where oneDNN has no implementation.
  OnednnAttention(std::vector<Shape> inputs, const Sizes& n, const memory::dims& mask, float scale,
                  ElementType compute, ops::KernelFn reference)
      : inputs_(std::move(inputs)), n_(n), compute_(compute), reference_(reference) {
    const auto type =
        compute == ElementType::BF16 ? memory::data_type::bf16 : memory::data_type::f32;
    q_md_ = heads_first(n.batch, n.q_len, n.heads, n.head_size, type);
    k_md_ = heads_first(n.batch, n.kv_len, n.heads, n.head_size, type, /*transposed=*/true);
    v_md_ = heads_first(n.batch, n.kv_len, n.heads, n.v_head_size, type);
    y_md_ = heads_first(n.batch, n.q_len, n.heads, n.v_head_size, memory::data_type::f32);
    const memory::dims scores{n.batch, n.heads, n.q_len, n.kv_len};
    scores_md_ = plain_f32_desc(scores);
    probs_md_ = plain_desc(scores, type);
    dnnl::engine& engine = cpu_engine();
    if (!mask.empty()) mask_md_ = plain_f32_desc(mask);
    dnnl::matmul::primitive_desc qk_pd = make_qk(scale, !mask.empty());
    if (!mask.empty() && cpu::is_naive(qk_pd)) {
      // oneDNN's fast matmuls take a post-op operand broadcast in some patterns only, and its
      // binary primitive has no fast one for the others either ([1, H, 1, S], [1, 1, S, 1]):
      // those masks are added by a loop of ours.
      qk_pd = make_qk(scale, false);
      mask_strides_.assign(4, 0);
      memory::dim stride = 1;
      for (int i = 3; i >= 0; --i) {
        if (mask[i] != 1) mask_strides_[i] = stride;
        stride *= mask[i];
      }
    }
    const dnnl::softmax_v2_forward::primitive_desc softmax_pd(
        dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference,
                                       dnnl::algorithm::softmax_accurate, scores_md_, probs_md_,
                                       /*axis=*/3),
        user_scratchpad(), engine);
    const dnnl::matmul::primitive_desc pv_pd(dnnl::matmul::desc(probs_md_, v_md_, y_md_),
                                             user_scratchpad(), engine);
    naive_ = cpu::is_naive(qk_pd) || cpu::is_naive(softmax_pd) || cpu::is_naive(pv_pd);
    qk_scratchpad_md_ = qk_pd.scratchpad_desc();
    softmax_scratchpad_md_ = softmax_pd.scratchpad_desc();
    pv_scratchpad_md_ = pv_pd.scratchpad_desc();
    qk_ = dnnl::matmul(qk_pd);
    softmax_ = dnnl::softmax_v2_forward(softmax_pd);
    pv_ = dnnl::matmul(pv_pd);

    const size_t score_count = size_t(n.batch * n.heads * n.q_len * n.kv_len);
    workspace_.scores = workspace_.take(score_count * sizeof(float));
    workspace_.probs = workspace_.scores;  // f32: the softmax runs in place
    if (compute == ElementType::BF16) {
      workspace_.probs = workspace_.take(probs_md_.get_size());
      workspace_.q = workspace_.take(q_md_.get_size());
      workspace_.k = workspace_.take(k_md_.get_size());
      workspace_.v = workspace_.take(v_md_.get_size());
      round_q_ = rounding(q_md_);
      round_k_ = rounding(k_md_);
      round_v_ = rounding(v_md_);
    }
    workspace_.scratchpad =
        workspace_.take(std::max({qk_scratchpad_md_.get_size(), softmax_scratchpad_md_.get_size(),
                                  pv_scratchpad_md_.get_size()}));
  }

  std::string_view name() const override {
    return compute_ == ElementType::BF16 ? "onednn_attention_bf16" : "onednn_attention_f32";
  }
  /// Whether oneDNN fell back to its naive loops for a part (fastest() declines the node then).
  bool is_naive() const { return naive_; }

  void run(ops::KernelContext& ctx) const override {
    // Built for the shapes known at compile time; anything else (which the planner should never
    // let through) gets the exact reference behaviour.
    for (size_t i = 0; i < inputs_.size(); ++i)
      if (ctx.input(i).element_type() != ElementType::F32 || ctx.input(i).shape() != inputs_[i])
        return reference_(ctx);
    const Tensor &q = ctx.input(0), &k = ctx.input(1), &v = ctx.input(2);
    const Tensor* mask = inputs_.size() > ops::kMultiHeadAttentionMaskInput
                             ? &ctx.input(ops::kMultiHeadAttentionMaskInput)
                             : nullptr;
    std::byte* workspace = thread_workspace(workspace_.total);
    void* scores = workspace + workspace_.scores;
    void* probs = workspace + workspace_.probs;
    void* scratchpad = workspace + workspace_.scratchpad;
    const void *q_data = q.data(), *k_data = k.data(), *v_data = v.data();
    if (compute_ == ElementType::BF16) {
      q_data = round(round_q_, q_data, workspace + workspace_.q);
      k_data = round(round_k_, k_data, workspace + workspace_.k);
      v_data = round(round_v_, v_data, workspace + workspace_.v);
    }
    // The stream runs in order: each primitive reads what the one before has written.
    Arg qk_args[5] = {{DNNL_ARG_SRC, &q_md_, q_data},
                      {DNNL_ARG_WEIGHTS, &k_md_, k_data},
                      {DNNL_ARG_DST, &scores_md_, scores},
                      {DNNL_ARG_SCRATCHPAD, &qk_scratchpad_md_, scratchpad}};
    const bool mask_as_post_op = mask && mask_strides_.empty();
    if (mask_as_post_op)
      qk_args[4] = {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, &mask_md_, mask->data()};
    enqueue(qk_, std::span<const Arg>(qk_args, mask_as_post_op ? 5 : 4));
    thread_stream().wait();
    if (mask && !mask_as_post_op) add_mask(static_cast<float*>(scores), mask->data<float>());
    // An exponential and three passes over each score: the work of about four copies of it.
    execute_memory_bound(softmax_,
                         {{DNNL_ARG_SRC, &scores_md_, scores},
                          {DNNL_ARG_DST, &probs_md_, probs},
                          {DNNL_ARG_SCRATCHPAD, &softmax_scratchpad_md_, scratchpad}},
                         4 * size_t(n_.batch * n_.heads * n_.q_len * n_.kv_len));
    enqueue(pv_, {{DNNL_ARG_SRC, &probs_md_, probs},
                  {DNNL_ARG_WEIGHTS, &v_md_, v_data},
                  {DNNL_ARG_DST, &y_md_, pooled_output(ctx, 0).data()},
                  {DNNL_ARG_SCRATCHPAD, &pv_scratchpad_md_, scratchpad}});
    thread_stream().wait();
  }

 private:
  // The rounding of an f32 operand to bf16 in the same layout, for the bf16 view `operand` of
  // it: a straight conversion of its elements, no transposition.
  struct Rounding {
    memory::desc from, to;
    dnnl::reorder reorder;
  };
  static Rounding rounding(const memory::desc& operand) {
    const memory::dim count = memory::dim(operand.get_size() / sizeof(uint16_t));
    Rounding r{plain_f32_desc({count}), plain_desc({count}, memory::data_type::bf16), {}};
    dnnl::engine& engine = cpu_engine();
    r.reorder = dnnl::reorder(dnnl::reorder::primitive_desc(engine, r.from, engine, r.to));
    return r;
  }
  static const void* round(const Rounding& r, const void* from, void* to) {
    enqueue(r.reorder, {{DNNL_ARG_FROM, &r.from, from}, {DNNL_ARG_TO, &r.to, to}});
    return to;
  }

  // Q.K^T times `scale`, with the mask added as a post-op where `masked`.
  dnnl::matmul::primitive_desc make_qk(float scale, bool masked) const {
    dnnl::primitive_attr attr = user_scratchpad();
    attr.set_output_scales(0, {scale});
    if (masked) {
      dnnl::post_ops add_mask;
      add_mask.append_binary(dnnl::algorithm::binary_add, mask_md_);
      attr.set_post_ops(add_mask);
    }
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(q_md_, k_md_, scores_md_), attr,
                                        cpu_engine());
  }

  // scores[b, h, i, j] += mask[b, h, i, j], the mask's broadcast axes stepping by 0.
  void add_mask(float* scores, const float* mask) const {
    const std::vector<int64_t>& m = mask_strides_;
    for (memory::dim b = 0; b < n_.batch; ++b)
      for (memory::dim h = 0; h < n_.heads; ++h)
        for (memory::dim i = 0; i < n_.q_len; ++i) {
          const float* row = mask + b * m[0] + h * m[1] + i * m[2];
          for (memory::dim j = 0; j < n_.kv_len; ++j) *scores++ += row[j * m[3]];
        }
  }

  std::vector<Shape> inputs_;
  Sizes n_;
  ElementType compute_;
  ops::KernelFn reference_;
  bool naive_ = false;
  memory::desc q_md_, k_md_, v_md_, y_md_, scores_md_, probs_md_, mask_md_;
  memory::desc qk_scratchpad_md_, softmax_scratchpad_md_, pv_scratchpad_md_;
  std::vector<int64_t> mask_strides_;  // set where add_mask() adds the mask, not qk_
  dnnl::matmul qk_, pv_;
  dnnl::softmax_v2_forward softmax_;
  Rounding round_q_, round_k_, round_v_;  // bf16 only
  Workspace workspace_;
};

// The sizes of Q [B, S_q, H, D], K [B, S_kv, H, D], V [B, S_kv, H, D_v] (or 3-D without B), or
// nullopt where they do not fit together or are empty (the reference reports or handles those).
std::optional<Sizes> sizes_of(const Shape& q, const Shape& k, const Shape& v) {
  const size_t rank = q.size();
  if ((rank != 3 && rank != 4) || k.size() != rank || v.size() != rank) return std::nullopt;
  const auto at = [&](const Shape& s, size_t from_end) { return s[rank - 1 - from_end]; };
  const Sizes n{rank == 4 ? q[0] : 1, at(q, 1), at(q, 2), at(k, 2), at(q, 0), at(v, 0)};
  if (at(k, 1) != n.heads || at(v, 1) != n.heads || at(k, 0) != n.head_size ||
      at(v, 2) != n.kv_len || (rank == 4 && (k[0] != n.batch || v[0] != n.batch)))
    return std::nullopt;
  if (n.batch * n.heads * n.q_len * n.kv_len * n.head_size * n.v_head_size == 0)
    return std::nullopt;
  return n;
}

// The mask's shape with ones prepended to rank 4, or nullopt where it does not broadcast to the
// scores [B, H, S_q, S_kv] without growing them.
std::optional<memory::dims> mask_dims(const Shape& mask, const Sizes& n) {
  if (mask.size() > 4) return std::nullopt;
  memory::dims dims(4 - mask.size(), 1);
  dims.insert(dims.end(), mask.begin(), mask.end());
  const memory::dims scores{n.batch, n.heads, n.q_len, n.kv_len};
  for (size_t i = 0; i < 4; ++i)
    if (dims[i] != 1 && dims[i] != scores[i]) return std::nullopt;
  return dims;
}

}  // namespace

std::unique_ptr<Kernel> make_onednn_attention(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (node.domain != ops::kTandemDomain || node.op_type != "MultiHeadAttention" ||
      node.outputs.size() != 1 || node.inputs.size() < 3 || node.inputs.size() > 4)
    return nullptr;
  const bool has_mask = node.inputs.size() == 4 && !node.inputs[3].empty();
  if (info.input_types.size() < node.inputs.size()) return nullptr;
  for (size_t i = 0; i < (has_mask ? 4u : 3u); ++i)
    if (!is_static_f32(info.input_types[i])) return nullptr;
  const auto shape = [&](size_t i) { return info.input_types[i]->shape.to_shape(); };
  const std::optional<Sizes> n = sizes_of(shape(0), shape(1), shape(2));
  if (!n) return nullptr;
  memory::dims mask;
  if (has_mask) {
    const std::optional<memory::dims> dims = mask_dims(shape(3), *n);
    if (!dims) return nullptr;
    mask = *dims;
  }
  float scale = 0;
  try {
    scale = ops::NodeContext(node, info.opset).attr<float>("scale");
  } catch (const Error&) {
    return nullptr;  // a malformed attribute: the reference reports it
  }
  const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
  if (!def || !def->reference) return nullptr;
  std::vector<Shape> inputs;
  for (size_t i = 0; i < (has_mask ? 4u : 3u); ++i) inputs.push_back(shape(i));
  return fastest<OnednnAttention>(info.inference_precision, [&](ElementType compute) {
    return std::make_unique<OnednnAttention>(inputs, *n, mask, scale, compute, def->reference);
  });
}

}  // namespace tandem::cpu
