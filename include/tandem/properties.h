// Properties: settings of a compiled model by name, in the vocabulary OpenVINO users know.
#pragma once

#include <map>
#include <string>

namespace tandem {

/// Properties by their string names ("PERFORMANCE_HINT" → "THROUGHPUT").
using AnyMap = std::map<std::string, std::string>;

namespace properties {
/// "LATENCY" (one stream), "THROUGHPUT" (on the CPU a stream per core, on a device with streams
/// of its own its count: the GPU's 4), "CUMULATIVE_THROUGHPUT" (as THROUGHPUT until there are
/// several devices). Default LATENCY.
inline constexpr const char* kPerformanceHint = "PERFORMANCE_HINT";
/// Streams: workers that each run one request at a time, on every device of the model.
/// Overrides what the hint chose; the CPU's never outnumber INFERENCE_NUM_THREADS.
inline constexpr const char* kNumStreams = "NUM_STREAMS";
/// Threads the CPU's streams together may use; caps their number. Each stream gets an equal
/// share (synchronous runs happen on a stream too). Default: the physical cores this process may
/// run on, one thread each (a core's hardware threads share its vector units).
inline constexpr const char* kInferenceNumThreads = "INFERENCE_NUM_THREADS";
/// "YES" records per-node timings (InferRequest::profiling_info). Default "NO".
inline constexpr const char* kEnableProfiling = "ENABLE_PROFILING";
/// What the first device computes in: "f32" (default), or "bf16" or "f16" where it offers them
/// (DeviceInfo::precisions: the GPU both, the CPU bf16 on AVX-512 BF16 or AMX); a fallback device
/// computes in the nearest it has.
inline constexpr const char* kInferencePrecisionHint = "INFERENCE_PRECISION_HINT";
/// "NO" makes it a compile error for a node to fall back to the CPU from the accelerator asked
/// for; the error lists the nodes and why. Default "YES".
inline constexpr const char* kAllowCpuFallback = "ALLOW_CPU_FALLBACK";
/// For AUTO: the devices to consider, best first, e.g. "VNPU,CPU". Default: every device
/// present that is not virtual (NPU, GPU, then CPU).
inline constexpr const char* kDevicePriorities = "DEVICE_PRIORITIES";
/// A folder for compiled models: compile_model loads the blob for the same model, device,
/// precision and shapes from it if there is a valid one, else compiles and writes it there.
/// Default "" (no cache).
inline constexpr const char* kCacheDir = "CACHE_DIR";
/// For a model whose inputs have dynamic dimensions: how many sets of input shapes the CPU
/// compiles it for, each the first time a run brings it, to run oneDNN's kernels made for those
/// shapes (each holds its own packed weights; the least recently used goes first). "0" runs every
/// shape on the kernels that need no shapes ahead, the reference ones where a shape is unknown.
/// Default "4".
inline constexpr const char* kShapeCacheCapacity = "SHAPE_CACHE_CAPACITY";
/// Read-only: "YES" when the compiled model was read from a blob (a CACHE_DIR hit or
/// Core::import_model) rather than compiled.
inline constexpr const char* kLoadedFromCache = "LOADED_FROM_CACHE";
/// Read-only: how many requests keep every stream busy.
inline constexpr const char* kOptimalNumberOfInferRequests = "OPTIMAL_NUMBER_OF_INFER_REQUESTS";
}  // namespace properties

}  // namespace tandem
