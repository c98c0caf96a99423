// Property resolution. Streams share INFERENCE_NUM_THREADS: each gets threads / streams OpenMP
// threads for the oneDNN kernels (reference kernels use one), so THROUGHPUT runs a stream per core.
#include "runtime/compile_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "runtime/physical_cores.h"
#include "tandem/error.h"

namespace tandem::runtime {
namespace {

int integer_from(const std::string& key, const std::string& value, int least, const char* what) {
  int n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < least)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("compile_model: property {} must be a {} integer, got '{}'", key, what, value));
  return n;
}

int positive_int(const std::string& key, const std::string& value) { return integer_from(key, value, 1, "positive"); }

Error bad_value(const std::string& key, const std::string& value, const char* allowed) {
  return Error(ErrorKind::InvalidArgument,
               fmt::format("compile_model: property {} cannot be '{}'; use {}", key, value, allowed));
}

}  // namespace

CompileConfig CompileConfig::resolve(const AnyMap& properties, const std::string& device) {
  CompileConfig c;
  c.threads = physical_cores();
  for (const auto& [key, value] : properties) {
    if (key == properties::kPerformanceHint) {
      if (value != "LATENCY" && value != "THROUGHPUT" && value != "CUMULATIVE_THROUGHPUT")
        throw bad_value(key, value, "LATENCY, THROUGHPUT or CUMULATIVE_THROUGHPUT");
      c.hint = value;
    } else if (key == properties::kNumStreams) {
      c.requested_streams = value == "AUTO" ? 0 : positive_int(key, value);
    } else if (key == properties::kInferenceNumThreads) {
      c.threads = positive_int(key, value);
    } else if (key == properties::kAllowCpuFallback) {
      if (value != "YES" && value != "NO") throw bad_value(key, value, "YES or NO");
      c.allow_cpu_fallback = value == "YES";
    } else if (key == properties::kDevicePriorities) {
      c.device_priorities = value;
    } else if (key == properties::kCacheDir) {
      c.cache_dir = value;
    } else if (key == properties::kShapeCacheCapacity) {
      c.shape_cache_capacity = integer_from(key, value, 0, "non-negative");
    } else if (key == properties::kEnableProfiling) {
      if (value != "YES" && value != "NO") throw bad_value(key, value, "YES or NO");
      c.profiling = value == "YES";
    } else if (key == properties::kInferencePrecisionHint) {
      // Whether the devices offer it is for compilation to check, once they are chosen.
      if (value != "f32" && value != "bf16" && value != "f16") throw bad_value(key, value, "f32, bf16 or f16");
      c.precision = value;
    } else {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("compile_model: device {} has no property '{}'", device, key));
    }
  }
  c.cpu_streams = c.requested_streams ? c.requested_streams : (c.hint == "LATENCY" ? 1 : c.threads);
  c.cpu_streams = std::min(c.cpu_streams, c.threads);
  c.adopt(devices::DeviceInfo{.throughput_streams = 0});  // as the CPU's until devices are chosen
  return c;
}

int CompileConfig::streams_on(const devices::DeviceInfo& device) const {
  if (device.throughput_streams == 0) return cpu_streams;
  if (requested_streams) return requested_streams;
  return hint == "LATENCY" ? 1 : device.throughput_streams;
}

void CompileConfig::adopt(const devices::DeviceInfo& first) {
  streams = streams_on(first);
  // Throughput wants a queued request ready whenever a stream finishes one.
  optimal_requests = hint == "LATENCY" && !requested_streams ? 1 : 2 * streams;
}

AnyMap CompileConfig::to_map() const {
  return {{properties::kPerformanceHint, hint},
          {properties::kNumStreams, std::to_string(streams)},
          {properties::kInferenceNumThreads, std::to_string(threads)},
          {properties::kEnableProfiling, profiling ? "YES" : "NO"},
          {properties::kAllowCpuFallback, allow_cpu_fallback ? "YES" : "NO"},
          {properties::kInferencePrecisionHint, precision},
          {properties::kCacheDir, cache_dir},
          {properties::kShapeCacheCapacity, std::to_string(shape_cache_capacity)},
          {properties::kOptimalNumberOfInferRequests, std::to_string(optimal_requests)}};
}

}  // namespace tandem::runtime
