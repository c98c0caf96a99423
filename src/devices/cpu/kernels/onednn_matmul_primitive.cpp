// PackedMatMul: primitive creation, weight packing at compile time, in-place execution.
#include "devices/cpu/kernels/onednn_matmul_primitive.h"

#include <cassert>
#include <cstring>
#include <memory>
#include <new>
#include <unordered_map>

namespace tandem::cpu {
namespace {

// The calling thread's scratchpad, grown to the largest any matmul has asked for. With a user
// scratchpad, one per thread, the shared primitive holds no mutable state: requests on several
// threads execute it at once, and none of them allocates one.
std::byte* thread_scratchpad(size_t bytes) {
  struct AlignedFree {
    void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t(64)); }
  };
  thread_local std::unique_ptr<std::byte[], AlignedFree> buffer;
  thread_local size_t capacity = 0;
  if (bytes > capacity) {
    buffer.reset(static_cast<std::byte*>(::operator new[](bytes, std::align_val_t(64))));
    capacity = bytes;
  }
  return buffer.get();
}

}  // namespace

dnnl::memory::desc plain_f32_desc(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return {dims, dnnl::memory::data_type::f32, strides};
}

PackedMatMul::PackedMatMul(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
                           const void* weights_data, float weights_scale,
                           const dnnl::memory::desc& dst, std::span<const float> bias,
                           std::span<const float> addend)
    : src_desc_(src), dst_desc_(dst) {
  dnnl::engine& engine = cpu_engine();
  const dnnl::memory::desc any_weights(weights.dims(), weights.data_type(),
                                       dnnl::memory::format_tag::any);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  // oneDNN's fast matmul takes a bias per column only; anything wider is a binary post-op.
  if (!addend.empty()) {
    dnnl::post_ops post_ops;
    post_ops.append_binary(dnnl::algorithm::binary_add, dst);
    attr.set_post_ops(post_ops);
  }
  dnnl::memory::dims bias_dims(dst.dims().size(), 1);
  bias_dims.back() = dst.dims().back();
  const dnnl::memory::desc bias_desc = plain_f32_desc(bias_dims);
  const dnnl::matmul::desc desc = bias.empty()
                                      ? dnnl::matmul::desc(src, any_weights, dst)
                                      : dnnl::matmul::desc(src, any_weights, bias_desc, dst);
  primitive_desc_ = dnnl::matmul::primitive_desc(desc, attr, engine);
  primitive_ = dnnl::matmul(primitive_desc_);
  scratchpad_desc_ = primitive_desc_.scratchpad_desc();

  // Packing once here keeps the request path free of copies; Gemm's alpha rides on the reorder.
  weights_ = dnnl::memory(primitive_desc_.weights_desc(), engine);
  dnnl::memory source(weights, engine, const_cast<void*>(weights_data));
  dnnl::primitive_attr reorder_attr;
  if (weights_scale != 1.0f) reorder_attr.set_output_scales(0, {weights_scale});
  dnnl::stream& stream = thread_stream();
  dnnl::reorder(dnnl::reorder::primitive_desc(source, weights_, reorder_attr))
      .execute(stream, source, weights_);
  stream.wait();

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
  dnnl::memory src_memory(src_desc_, engine, const_cast<void*>(src));
  dnnl::memory dst_memory(dst_desc_, engine, dst);
  dnnl::memory scratchpad(scratchpad_desc_, engine, thread_scratchpad(scratchpad_desc_.get_size()));
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, src_memory},
                                             {DNNL_ARG_WEIGHTS, weights_},
                                             {DNNL_ARG_DST, dst_memory},
                                             {DNNL_ARG_SCRATCHPAD, scratchpad}};
  if (bias_) args.emplace(DNNL_ARG_BIAS, bias_);
  if (addend_) args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, addend_);
  dnnl::stream& stream = thread_stream();
  primitive_.execute(stream, args);
  stream.wait();
}

}  // namespace tandem::cpu
