// What every oneDNN kernel shares: the CPU engine, a stream per thread, element type mapping.
#pragma once

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

}  // namespace tandem::cpu
