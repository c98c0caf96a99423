// Activations that stay in oneDNN's blocked layouts from one kernel to the next. A convolution
// computes in a blocked layout (nChw16c: 16 channels side by side); reordering its output to the
// plain NCHW tensor and back for the next convolution cost as much as the convolutions themselves
// in MobileNet-v2. A value is kept blocked only where every reader takes that layout (see
// assign_layouts); every other reader, and the caller, sees plain tensors.
#pragma once

#include <cstddef>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>

#include "execution/kernel.h"
#include "tandem/tensor.h"

namespace tandem::cpu {

/// A kernel whose inputs and outputs may be passed in a oneDNN layout instead of plain tensors.
/// The four calls are made at compile time only, before any run.
class LayoutKernel : public execution::Kernel {
 public:
  /// The layout output i is computed in, where it is not the plain one.
  virtual std::optional<dnnl::memory::desc> output_layout(size_t i) const = 0;
  /// Whether input i could be read in `layout` without a reorder.
  virtual bool accepts_input(size_t i, const dnnl::memory::desc& layout) const = 0;
  /// Input i arrives in `layout` (which accepts_input allowed): a tensor of the logical shape whose
  /// bytes (layout.get_size() of them, padding included) are in that layout.
  virtual void take_input(size_t i, const dnnl::memory::desc& layout) = 0;
  /// Output i is to be written in output_layout(i), for readers that took it.
  virtual void give_output(size_t i) = 0;
};

/// A tensor of the logical `shape` holding `layout.get_size()` bytes for a blocked layout (which
/// pads the channels to a multiple of the block): only kernels that took the layout read it.
Tensor blocked_tensor(const Shape& shape, const dnnl::memory::desc& layout);

/// A reorder from `from` to `to`, or nullopt where the layouts are the same.
std::optional<dnnl::reorder> reorder_between(const dnnl::memory::desc& from,
                                             const dnnl::memory::desc& to);

/// `layout`'s format for a tensor of the same rank but other `dims`, where `layout` is one of the
/// formats oneDNN computes activations in (plain, channels last, or channels in blocks of 4, 8 or
/// 16), in its element type (f32, or bf16 under the bf16 hint): the layout a broadcast operand or
/// another concat input takes to match it.
std::optional<dnnl::memory::desc> same_format(const dnnl::memory::desc& layout,
                                              const dnnl::memory::dims& dims);

/// Whether `layout` pads a dimension (16-channel blocks over 24 channels pad 8).
bool has_padding(const dnnl::memory::desc& layout);

/// Whether `layout` holds f32 elements and padding densely from its first byte, as every layout
/// oneDNN chooses does: an elementwise operation may then run over it as one flat array.
bool is_dense(const dnnl::memory::desc& layout);

/// Writes zeros over the padding of f32 or bf16 `data` in `layout`. Blocked values keep their padding zero
/// from kernel to kernel, as oneDNN's primitives assume of their inputs: a convolution multiplies
/// the padded channels by zero weights, so a NaN or inf there would reach every output channel.
/// Kernels whose primitive leaves the padding unwritten (pooling) or writes f(0) != 0 there (an
/// elementwise op over the flat array) restore it with this.
void zero_padding(const dnnl::memory::desc& layout, void* data);

}  // namespace tandem::cpu
