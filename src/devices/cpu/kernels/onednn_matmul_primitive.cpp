// PackedMatMul and MatMulOfInputs: primitive creation, weight packing at compile time, bf16
// rounding of operands, in-place execution.
#include "devices/cpu/kernels/onednn_matmul_primitive.h"

#include "devices/cpu/kernels/onednn_activation.h"

#include <cassert>
#include <cstring>
#include <memory>
#include <new>

namespace tandem::cpu {
namespace {

// The calling thread's buffers, each grown to the largest any matmul has asked for: the
// scratchpad and the bf16 copies of the operands. With user scratchpads, one per thread, the
// shared primitive holds no mutable state: requests on several threads execute it at once, and
// none of them allocates once the buffers have grown.
enum BufferSlot { kScratchpad, kRoundedSrc, kRoundedWeights, kSlots };
std::byte* thread_buffer(BufferSlot slot, size_t bytes) {
  struct AlignedFree {
    void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t(64)); }
  };
  thread_local std::unique_ptr<std::byte[], AlignedFree> buffers[kSlots];
  thread_local size_t capacities[kSlots] = {};
  if (bytes > capacities[slot]) {
    buffers[slot].reset(static_cast<std::byte*>(::operator new[](bytes, std::align_val_t(64))));
    capacities[slot] = bytes;
  }
  return buffers[slot].get();
}

Arg scratchpad_for(const dnnl::memory::desc& desc) {
  return {DNNL_ARG_SCRATCHPAD, &desc, thread_buffer(kScratchpad, desc.get_size())};
}

dnnl::memory::data_type operand_type(ElementType compute) {
  assert(compute == ElementType::F32 || compute == ElementType::BF16);
  return compute == ElementType::BF16 ? dnnl::memory::data_type::bf16
                                      : dnnl::memory::data_type::f32;
}

}  // namespace

RoundToBf16::RoundToBf16(const dnnl::memory::desc& f32, Slot slot)
    : f32_(f32), rounded_(plain_desc(f32.dims(), dnnl::memory::data_type::bf16)), slot_(slot) {
  // Dense whatever the source's strides: the copy is also where a transposed operand turns plain.
  dnnl::engine& engine = cpu_engine();
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const dnnl::reorder::primitive_desc desc(engine, f32, engine, rounded_, attr);
  if (desc.scratchpad_desc().get_size() != 0)
    throw dnnl::error(dnnl_unimplemented, "the f32 to bf16 reorder wants a scratchpad");
  reorder_ = dnnl::reorder(desc);
}

const void* RoundToBf16::run(const void* data) const {
  std::byte* rounded = thread_buffer(slot_ == kSrc ? kRoundedSrc : kRoundedWeights, rounded_.get_size());
  enqueue(reorder_, {{DNNL_ARG_FROM, &f32_, data}, {DNNL_ARG_TO, &rounded_, rounded}});
  return rounded;
}

PackedMatMul::PackedMatMul(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
                           const void* weights_data, float weights_scale,
                           const dnnl::memory::desc& dst, ElementType compute,
                           std::span<const float> bias, std::span<const float> addend,
                           const ops::Activation& activation)
    : compute_(compute), weights_scale_(weights_scale), src_desc_(src), dst_desc_(dst), given_weights_desc_(weights) {
  dnnl::engine& engine = cpu_engine();
  const dnnl::memory::desc any_weights(weights.dims(), operand_type(compute),
                                       dnnl::memory::format_tag::any);
  if (compute == ElementType::BF16) round_src_ = RoundToBf16(src, RoundToBf16::kSrc);
  const dnnl::memory::desc& product_src = round_src_.is_used() ? round_src_.desc() : src;
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  // oneDNN's fast matmul takes a bias per column only; anything wider is a binary post-op.
  dnnl::post_ops post_ops;
  if (!addend.empty()) post_ops.append_binary(dnnl::algorithm::binary_add, dst);
  if (!append_activation(post_ops, activation))
    throw dnnl::error(dnnl_unimplemented, "oneDNN has no post-op for the activation");
  if (post_ops.len() > 0) attr.set_post_ops(post_ops);
  dnnl::memory::dims bias_dims(dst.dims().size(), 1);
  bias_dims.back() = dst.dims().back();
  const dnnl::memory::desc bias_desc = plain_f32_desc(bias_dims);
  const dnnl::matmul::desc desc =
      bias.empty() ? dnnl::matmul::desc(product_src, any_weights, dst)
                   : dnnl::matmul::desc(product_src, any_weights, bias_desc, dst);
  primitive_desc_ = dnnl::matmul::primitive_desc(desc, attr, engine);
  primitive_ = dnnl::matmul(primitive_desc_);
  scratchpad_desc_ = primitive_desc_.scratchpad_desc();

  // Packing (and rounding to bf16) once here keeps the request path free of copies of the
  // weights; Gemm's alpha rides on the reorder, before any rounding.
  weights_desc_ = primitive_desc_.weights_desc();
  weights_ = dnnl::memory(weights_desc_, engine);
  dnnl::memory source(weights, engine, const_cast<void*>(weights_data));
  dnnl::primitive_attr reorder_attr;
  if (weights_scale != 1.0f) reorder_attr.set_output_scales(0, {weights_scale});
  dnnl::stream& stream = thread_stream();
  dnnl::reorder(dnnl::reorder::primitive_desc(source, weights_, reorder_attr))
      .execute(stream, source, weights_);
  stream.wait();
  release_pages({static_cast<const std::byte*>(weights_data), weights.get_size()});

  auto copy = [&](const dnnl::memory::desc& desc, std::span<const float> values) {
    assert(values.size() * sizeof(float) == desc.get_size());
    dnnl::memory memory(desc, engine);
    std::memcpy(memory.get_data_handle(), values.data(), desc.get_size());
    return memory;
  };
  bias_desc_ = bias_desc;
  if (!bias.empty()) bias_ = copy(bias_desc, bias);
  if (!addend.empty()) addend_ = copy(dst, addend);
}

void PackedMatMul::unpack_weights(void* data) const {
  dnnl::engine& engine = cpu_engine();
  dnnl::memory packed = weights_;  // a handle to the same memory
  dnnl::memory plain(given_weights_desc_, engine, data);
  dnnl::stream& stream = thread_stream();
  dnnl::reorder(packed, plain).execute(stream, packed, plain);
  stream.wait();
}

Tensor unpacked_weights(const PackedMatMul& matmul, const Shape& shape) {
  Tensor weights(ElementType::F32, shape);
  matmul.unpack_weights(weights.data());
  return weights;
}

void run_matmul_reference(ops::KernelContext& ctx, size_t i, const PackedMatMul& matmul, const Shape& shape,
                          const ops::KernelFn& reference) {
  if (!matmul.weights_exact()) return reference(ctx);  // the plan kept the weights
  const Value weights(unpacked_weights(matmul, shape));
  const Value* placeholder = ctx.replace_input(i, &weights);
  try {
    reference(ctx);
  } catch (...) {
    ctx.replace_input(i, placeholder);
    throw;
  }
  ctx.replace_input(i, placeholder);
}

void PackedMatMul::execute(const void* src, void* dst) const {
  // The stream runs in order: the matmul reads the rounded copy once it is written.
  const bool rounded = round_src_.is_used();
  Arg args[6] = {{DNNL_ARG_SRC, rounded ? &round_src_.desc() : &src_desc_, rounded ? round_src_.run(src) : src},
                 {DNNL_ARG_WEIGHTS, &weights_desc_, weights_.get_data_handle()},
                 {DNNL_ARG_DST, &dst_desc_, dst},
                 scratchpad_for(scratchpad_desc_)};
  size_t n = 4;
  if (bias_) args[n++] = {DNNL_ARG_BIAS, &bias_desc_, bias_.get_data_handle()};
  if (addend_) args[n++] = {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, &dst_desc_, addend_.get_data_handle()};
  enqueue(primitive_, std::span<const Arg>(args, n));
  thread_stream().wait();
}


MatMulOfInputs::MatMulOfInputs(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
                               const dnnl::memory::desc& dst, ElementType compute)
    : compute_(compute), src_desc_(src), weights_desc_(weights), dst_desc_(dst) {
  if (compute == ElementType::BF16) {
    round_src_ = RoundToBf16(src, RoundToBf16::kSrc);
    round_weights_ = RoundToBf16(weights, RoundToBf16::kWeights);
  }
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const dnnl::matmul::desc desc(round_src_.is_used() ? round_src_.desc() : src,
                                round_weights_.is_used() ? round_weights_.desc() : weights, dst);
  primitive_desc_ = dnnl::matmul::primitive_desc(desc, attr, cpu_engine());
  primitive_ = dnnl::matmul(primitive_desc_);
  scratchpad_desc_ = primitive_desc_.scratchpad_desc();
}

void MatMulOfInputs::execute(const void* src, const void* weights, void* dst) const {
  auto operand = [&](int id, const RoundToBf16& round, const dnnl::memory::desc& desc, const void* data) {
    return round.is_used() ? Arg{id, &round.desc(), round.run(data)} : Arg{id, &desc, data};
  };
  enqueue(primitive_, {operand(DNNL_ARG_SRC, round_src_, src_desc_, src),
                       operand(DNNL_ARG_WEIGHTS, round_weights_, weights_desc_, weights),
                       {DNNL_ARG_DST, &dst_desc_, dst},
                       scratchpad_for(scratchpad_desc_)});
  thread_stream().wait();
}

}  // namespace tandem::cpu
