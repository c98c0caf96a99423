// What every oneDNN kernel shares: the CPU engine, a stream per thread, element type mapping,
// aligned buffers and a per-thread workspace.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <initializer_list>
#include <span>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "execution/kernel.h"
#include "ops/kernel_context.h"
#include "tandem/element_type.h"
#include "tandem/value.h"

namespace tandem::cpu {

/// The one CPU engine of the process (oneDNN engines are thread-safe and meant to be shared).
dnnl::engine& cpu_engine();
/// A stream for the calling thread: oneDNN streams must not be shared between threads.
dnnl::stream& thread_stream();
/// A dense row-major layout of `dims`.
dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims, dnnl::memory::data_type type);
inline dnnl::memory::desc plain_f32_desc(const dnnl::memory::dims& dims) {
  return plain_desc(dims, dnnl::memory::data_type::f32);
}
/// Whether oneDNN chose its naive "ref" loops for `pd`, which the reference kernels match or beat:
/// the kernels decline such nodes.
template <class PrimitiveDesc>
bool is_naive(const PrimitiveDesc& pd) {
  return std::string_view(pd.impl_info_str()).starts_with("ref");
}
/// The oneDNN data type of an element type, or nullopt where oneDNN has none.
std::optional<dnnl::memory::data_type> onednn_type(ElementType type);

inline constexpr size_t kAlignment = 64;  // a cache line, and oneDNN's preferred buffer alignment
inline size_t align_up(size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

struct FreeAligned {
  void operator()(std::byte* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<std::byte, FreeAligned>;
/// At least `bytes` (rounded up to kAlignment), kAlignment-aligned; throws std::bad_alloc.
AlignedBuffer allocate_aligned(size_t bytes);

/// Offers the whole pages inside `bytes` back to the operating system (MADV_PAGEOUT), contents
/// kept: a weight the kernel has packed is not read again while the model runs, and a model read
/// from a file maps its weights, so its pages are dropped from the resident set and read back from
/// the file should anything need them. Without this, BERT-base kept its 420 MiB of weights twice.
void release_pages(std::span<const std::byte> bytes);

/// One argument of a primitive's run: oneDNN's id for it, its layout, and this run's buffer.
struct Arg {
  int id;
  const dnnl::memory::desc* desc;
  const void* data;
};

/// Enqueues `primitive` on the calling thread's stream with `args`. Creating a dnnl::memory per
/// argument and the C++ API's argument map cost some 15 heap allocations per node and run; instead
/// each thread keeps one memory object per primitive and argument, made on its first run and after
/// only pointed at the run's buffer, and passes them as the C API's array.
void enqueue(const dnnl::primitive& primitive, std::span<const Arg> args);
inline void enqueue(const dnnl::primitive& primitive, std::initializer_list<Arg> args) {
  enqueue(primitive, std::span<const Arg>(args.begin(), args.size()));
}

/// Memory-bound primitives (eltwise, binary, softmax, layer norm) get one OpenMP thread per this
/// many elements (1 MiB of f32, about a hundred microseconds of work), up to the calling thread's
/// share. Waking and joining threads costs microseconds on an idle machine, but on a loaded one a
/// descheduled thread holds the join for a scheduler tick: with 64 Ki elements per thread,
/// BERT-base on 2 busy cores ran 0.6-1.4 s against 1.0 s for the reference kernels.
inline constexpr size_t kElementsPerThread = 262144;
/// Executes `primitive` on the calling thread's stream and waits for it, on as many threads as
/// `elements` warrants.
void execute_memory_bound(const dnnl::primitive& primitive, std::span<const Arg> args, size_t elements);
inline void execute_memory_bound(const dnnl::primitive& primitive, std::initializer_list<Arg> args,
                                 size_t elements) {
  execute_memory_bound(primitive, std::span<const Arg>(args.begin(), args.size()), elements);
}

/// Per-thread room for a kernel's blocked activations and its primitive's scratchpad (oneDNN's
/// user scratchpad mode, so that concurrent runs never share one): it grows to the largest
/// request the thread has made and is reused after, so steady-state runs allocate nothing. One
/// buffer per thread serves every kernel because kernels never nest.
std::byte* thread_workspace(size_t bytes);

/// The plain (row-major) layout of an ONNX [N, C, spatial...] tensor of rank 3 to 5.
inline dnnl::memory::format_tag data_tag(size_t rank) {
  using Tag = dnnl::memory::format_tag;
  static constexpr Tag kTags[] = {Tag::ncw, Tag::nchw, Tag::ncdhw};
  return kTags[rank - 3];
}

/// Input i of the node as the planner knows it at compile time, where it is a constant tensor (an
/// initializer or a folded value); null otherwise.
inline const Tensor* constant_tensor(const execution::NodeInfo& info, size_t i) {
  if (i >= info.constants.size() || !info.constants[i] || !info.constants[i]->is_tensor()) return nullptr;
  return &info.constants[i]->tensor();
}
/// The same where the constant is an f32 tensor (weights, bias).
inline const Tensor* constant_f32(const execution::NodeInfo& info, size_t i) {
  const Tensor* t = constant_tensor(info, i);
  return t && t->element_type() == ElementType::F32 ? t : nullptr;
}

/// Whether a run brings what a kernel of one f32 data input and constant parameters was planned
/// for: input 0 an f32 tensor of shape `x`, and each input that was constant at compile time
/// present at the same address (`constants` by input index, null for the inputs that were not),
/// and none of the others. A kernel sends any other run (a model whose declared shapes were
/// wrong) to the reference.
inline bool is_planned_run(const ops::KernelContext& ctx, const Shape& x, const std::vector<const void*>& constants) {
  const Tensor& data = ctx.input(0);
  if (data.element_type() != ElementType::F32 || data.shape() != x) return false;
  for (size_t i = 1; i < constants.size(); ++i)
    if (ctx.has_input(i) != bool(constants[i]) || (constants[i] && ctx.input(i).data() != constants[i]))
      return false;
  return true;
}

/// Whether a value is an f32 tensor of static shape: what every oneDNN kernel here requires of
/// the values it plans primitives for at compile time.
inline bool is_static_f32(const ValueType* type) {
  return type && type->is_tensor() && type->element_type == ElementType::F32 && type->shape.rank_known() &&
         type->shape.is_static();
}

}  // namespace tandem::cpu
