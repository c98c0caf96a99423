// What every oneDNN kernel shares: the CPU engine, a stream per thread, element type mapping,
// aligned buffers and a per-thread workspace.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>

#include <oneapi/dnnl/dnnl.hpp>

#include "tandem/element_type.h"

namespace tandem::cpu {

/// The one CPU engine of the process (oneDNN engines are thread-safe and meant to be shared).
dnnl::engine& cpu_engine();
/// A stream for the calling thread: oneDNN streams must not be shared between threads.
dnnl::stream& thread_stream();
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

/// Per-thread room for a kernel's blocked activations and its primitive's scratchpad (oneDNN's
/// user scratchpad mode, so that concurrent runs never share one): it grows to the largest
/// request the thread has made and is reused after, so steady-state runs allocate nothing. One
/// buffer per thread serves every kernel because kernels never nest.
std::byte* thread_workspace(size_t bytes);

}  // namespace tandem::cpu
