// A oneDNN matmul with its constant weights packed once: the core shared by MatMul and Gemm.
#pragma once

#include <cstddef>
#include <oneapi/dnnl/dnnl.hpp>
#include <span>
#include <string_view>

#include "devices/cpu/kernels/onednn_common.h"

namespace tandem::cpu {

/// f32 dst = src · (scale · weights) + bias + addend, where the weights are a constant reordered
/// into the layout oneDNN prefers for this shape, once, at construction. Construction throws
/// dnnl::error when oneDNN has no implementation; callers then decline the node. execute() is
/// thread-safe: the primitive and the packed weights are read-only, and each thread has its own
/// scratchpad.
class PackedMatMul {
 public:
  /// `weights` describes the constant's bytes at `weights_data` (plain or strided: a transposed
  /// B is a stride swap); src and dst are the exact layouts execute() will be given. What is
  /// added to the product, already multiplied by its factor (Gemm's beta): `bias`, one value per
  /// column of dst (or empty), and `addend`, a whole dst-sized tensor (or empty).
  PackedMatMul(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
               const void* weights_data, float weights_scale, const dnnl::memory::desc& dst,
               std::span<const float> bias = {}, std::span<const float> addend = {});
  PackedMatMul(const PackedMatMul&) = delete;
  PackedMatMul& operator=(const PackedMatMul&) = delete;

  /// Runs on the calling thread's stream and waits; `src` and `dst` are used in place.
  void execute(const void* src, void* dst) const;
  /// oneDNN's name for the implementation it picked ("brg:avx512_core", …), for diagnostics.
  const char* implementation() const { return primitive_desc_.impl_info_str(); }
  /// Whether oneDNN fell back to its naive loops ("ref:any"), which are no faster than tandem's own
  /// reference kernel: callers decline the node then.
  bool is_naive() const { return std::string_view(implementation()).starts_with("ref"); }

 private:
  dnnl::memory::desc src_desc_, dst_desc_, scratchpad_desc_;
  dnnl::matmul::primitive_desc primitive_desc_;
  dnnl::matmul primitive_;
  dnnl::memory weights_;        // packed, owned by oneDNN
  dnnl::memory bias_, addend_;  // copies, owned by oneDNN
};

/// A dense row-major f32 layout of `dims`.
dnnl::memory::desc plain_f32_desc(const dnnl::memory::dims& dims);

}  // namespace tandem::cpu
