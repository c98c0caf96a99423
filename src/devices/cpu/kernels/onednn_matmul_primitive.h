// oneDNN matmuls shared by the MatMul and Gemm kernels: with constant weights packed once, or with
// both operands given at run time; either in f32 or with operands rounded to bf16.
#pragma once

#include <cstddef>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <span>
#include <string_view>

#include "devices/cpu/kernels/onednn_common.h"
#include "ops/kernel_context.h"
#include "ops/nn/fused_conv.h"
#include "ops/op.h"
#include "tandem/element_type.h"

namespace tandem::cpu {

/// Rounds an f32 operand of the given layout into a dense bf16 copy in the calling thread's
/// buffer `slot`, on every run: oneDNN 2.6 has no matmul of f32 operands in bf16.
class RoundToBf16 {
 public:
  enum Slot { kSrc, kWeights };
  RoundToBf16() = default;
  /// Throws dnnl::error when oneDNN has no such reorder.
  RoundToBf16(const dnnl::memory::desc& f32, Slot slot);
  bool is_used() const { return bool(reorder_); }
  /// The dense bf16 layout of the copy.
  const dnnl::memory::desc& desc() const { return rounded_; }
  /// Enqueues the rounding of `data` on the calling thread's stream and returns the copy, valid
  /// until this thread rounds into the same slot again.
  const void* run(const void* data) const;

 private:
  dnnl::memory::desc f32_, rounded_;
  dnnl::reorder reorder_;
  Slot slot_ = kSrc;
};

/// f32 dst = activation(src · (scale · weights) + bias + addend), where the weights are a constant
/// reordered into the layout oneDNN prefers for this shape, once, at construction. Construction throws
/// dnnl::error when oneDNN has no implementation; callers then decline the node. execute() is
/// thread-safe: the primitive and the packed weights are read-only, and each thread has its own
/// scratchpad.
///
/// With `compute` BF16 the product is taken in bf16 (INFERENCE_PRECISION_HINT=bf16): the weights
/// are packed as bf16 once, src is rounded to bf16 on every run (oneDNN 2.6 has no matmul of f32
/// src with bf16 weights), accumulation, bias, addend and dst stay f32.
class PackedMatMul {
 public:
  /// `weights` describes the constant's f32 bytes at `weights_data` (plain or strided: a
  /// transposed B is a stride swap); src and dst are the exact f32 layouts execute() will be
  /// given. What is added to the product, already multiplied by its factor (Gemm's beta): `bias`,
  /// one value per column of dst (or empty), and `addend`, a whole dst-sized tensor (or empty).
  /// `activation` (FusedMatMul's) runs last, as an eltwise post-op.
  PackedMatMul(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
               const void* weights_data, float weights_scale, const dnnl::memory::desc& dst,
               ElementType compute, std::span<const float> bias = {},
               std::span<const float> addend = {}, const ops::Activation& activation = {});
  PackedMatMul(const PackedMatMul&) = delete;
  PackedMatMul& operator=(const PackedMatMul&) = delete;

  /// Runs on the calling thread's stream and waits; `src` and `dst` are used in place.
  void execute(const void* src, void* dst) const;
  /// oneDNN's name for the implementation it picked ("brg:avx512_core", …), for diagnostics.
  const char* implementation() const { return primitive_desc_.impl_info_str(); }
  /// F32, or BF16 when the product is taken in bf16.
  ElementType compute() const { return compute_; }
  /// Whether oneDNN fell back to its naive loops ("ref:any"), which are no faster than tandem's own
  /// reference kernel: callers decline the node then.
  bool is_naive() const { return std::string_view(implementation()).starts_with("ref"); }
  /// Whether the packed weights are the constant exactly (f32, scale 1): unpack_weights then gives
  /// it back bit for bit, and the caller need not keep it.
  bool weights_exact() const { return compute_ == ElementType::F32 && weights_scale_ == 1.0f; }
  /// The packed weights reordered back into the constant's layout, at `data` (its size in bytes).
  void unpack_weights(void* data) const;

 private:
  ElementType compute_;
  float weights_scale_;
  dnnl::memory::desc src_desc_, dst_desc_, scratchpad_desc_, weights_desc_, bias_desc_, given_weights_desc_;
  dnnl::matmul::primitive_desc primitive_desc_;
  dnnl::matmul primitive_;
  RoundToBf16 round_src_;       // bf16 only
  dnnl::memory weights_;        // packed, owned by oneDNN
  dnnl::memory bias_, addend_;  // copies, owned by oneDNN
};

/// f32 dst = src · weights where both operands come at run time (attention's Q·Kᵀ and P·V), with
/// the exact f32 layouts given here; with `compute` BF16 both are rounded to bf16 on every run and
/// the product accumulates in f32. Construction throws dnnl::error when oneDNN has no
/// implementation; execute() is thread-safe as PackedMatMul's is.
class MatMulOfInputs {
 public:
  MatMulOfInputs(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
                 const dnnl::memory::desc& dst, ElementType compute);
  MatMulOfInputs(const MatMulOfInputs&) = delete;
  MatMulOfInputs& operator=(const MatMulOfInputs&) = delete;

  void execute(const void* src, const void* weights, void* dst) const;
  ElementType compute() const { return compute_; }
  const char* implementation() const { return primitive_desc_.impl_info_str(); }
  bool is_naive() const { return std::string_view(implementation()).starts_with("ref"); }

 private:
  ElementType compute_;
  dnnl::memory::desc src_desc_, weights_desc_, dst_desc_, scratchpad_desc_;
  dnnl::matmul::primitive_desc primitive_desc_;
  dnnl::matmul primitive_;
  RoundToBf16 round_src_, round_weights_;  // bf16 only
};

/// The constant weights `matmul` packed (weights_exact only), rebuilt in their given f32 layout.
Tensor unpacked_weights(const PackedMatMul& matmul, const Shape& shape);

/// Runs `reference` on a node whose input `i`, constant weights of `shape`, `matmul` packed. Where
/// the kernel holds them (weights_exact: the plan gave the context a tensor without memory there),
/// the weights rebuilt stand in while the reference runs (off the planned path only: it allocates).
void run_matmul_reference(ops::KernelContext& ctx, size_t i, const PackedMatMul& matmul, const Shape& shape,
                          const ops::KernelFn& reference);

/// `make(compute)` in bf16 where `precision` (INFERENCE_PRECISION_HINT) allows it, else in f32
/// (also where oneDNN has no fast bf16 implementation: f32 is still faster than the reference);
/// null when oneDNN has neither or only its naive loops.
template <class Primitive, class Make>
std::unique_ptr<Primitive> fastest(ElementType precision, Make make) {
  auto attempt = [&](ElementType compute) -> std::unique_ptr<Primitive> {
    try {
      std::unique_ptr<Primitive> primitive = make(compute);
      return primitive->is_naive() ? nullptr : std::move(primitive);
    } catch (const dnnl::error&) {
      return nullptr;  // no oneDNN implementation for this case
    }
  };
  std::unique_ptr<Primitive> primitive;
  if (precision == ElementType::BF16) primitive = attempt(ElementType::BF16);
  return primitive ? std::move(primitive) : attempt(ElementType::F32);
}


}  // namespace tandem::cpu
