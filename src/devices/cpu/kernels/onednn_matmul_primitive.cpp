// PackedMatMul and MatMulOfInputs: primitive creation, weight packing at compile time, bf16
// rounding of operands, in-place execution.
#include "devices/cpu/kernels/onednn_matmul_primitive.h"

#include "devices/cpu/kernels/onednn_activation.h"

#include <cassert>
#include <cstring>
#include <memory>
#include <new>
#include <unordered_map>

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

dnnl::memory scratchpad_for(const dnnl::memory::desc& desc) {
  return dnnl::memory(desc, cpu_engine(), thread_buffer(kScratchpad, desc.get_size()));
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

dnnl::memory RoundToBf16::run(const void* data, dnnl::stream& stream) const {
  dnnl::engine& engine = cpu_engine();
  dnnl::memory source(f32_, engine, const_cast<void*>(data));
  dnnl::memory rounded(
      rounded_, engine,
      thread_buffer(slot_ == kSrc ? kRoundedSrc : kRoundedWeights, rounded_.get_size()));
  reorder_.execute(stream, source, rounded);
  return rounded;
}

PackedMatMul::PackedMatMul(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
                           const void* weights_data, float weights_scale,
                           const dnnl::memory::desc& dst, ElementType compute,
                           std::span<const float> bias, std::span<const float> addend,
                           const ops::Activation& activation)
    : compute_(compute), src_desc_(src), dst_desc_(dst) {
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
  weights_ = dnnl::memory(primitive_desc_.weights_desc(), engine);
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
  if (!bias.empty()) bias_ = copy(bias_desc, bias);
  if (!addend.empty()) addend_ = copy(dst, addend);
}

void PackedMatMul::execute(const void* src, void* dst) const {
  dnnl::engine& engine = cpu_engine();
  dnnl::stream& stream = thread_stream();
  // The stream runs in order: the matmul reads the rounded copy once it is written.
  dnnl::memory src_memory = round_src_.is_used()
                                ? round_src_.run(src, stream)
                                : dnnl::memory(src_desc_, engine, const_cast<void*>(src));
  dnnl::memory dst_memory(dst_desc_, engine, dst);
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, src_memory},
      {DNNL_ARG_WEIGHTS, weights_},
      {DNNL_ARG_DST, dst_memory},
      {DNNL_ARG_SCRATCHPAD, scratchpad_for(scratchpad_desc_)}};
  if (bias_) args.emplace(DNNL_ARG_BIAS, bias_);
  if (addend_) args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, addend_);
  primitive_.execute(stream, args);
  stream.wait();
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
  dnnl::engine& engine = cpu_engine();
  dnnl::stream& stream = thread_stream();
  auto operand = [&](const RoundToBf16& round, const dnnl::memory::desc& desc, const void* data) {
    return round.is_used() ? round.run(data, stream)
                           : dnnl::memory(desc, engine, const_cast<void*>(data));
  };
  primitive_.execute(stream, {{DNNL_ARG_SRC, operand(round_src_, src_desc_, src)},
                              {DNNL_ARG_WEIGHTS, operand(round_weights_, weights_desc_, weights)},
                              {DNNL_ARG_DST, dnnl::memory(dst_desc_, engine, dst)},
                              {DNNL_ARG_SCRATCHPAD, scratchpad_for(scratchpad_desc_)}});
  stream.wait();
}

}  // namespace tandem::cpu
