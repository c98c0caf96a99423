// The settings a model is compiled with: properties given, hints resolved, values actually used.
#pragma once

#include <string>

#include "tandem/properties.h"

namespace tandem::runtime {

struct CompileConfig {
  std::string hint = "LATENCY";
  int threads = 1;   // threads all streams together may use
  int streams = 1;   // workers running requests concurrently
  bool profiling = false;
  std::string precision = "f32";
  int optimal_requests = 1;
  bool allow_cpu_fallback = true;
  std::string device_priorities;  // AUTO's candidates, comma-separated; empty for its default
  std::string cache_dir;          // CACHE_DIR: where compiled-model blobs are kept; empty for none
  int shape_cache_capacity = 4;   // SHAPE_CACHE_CAPACITY: input shapes a dynamic model is compiled for

  /// Resolves `properties` for `device`: the hint picks streams, explicit NUM_STREAMS and
  /// INFERENCE_NUM_THREADS override it. Throws InvalidArgument naming an unknown key or value.
  static CompileConfig resolve(const AnyMap& properties, const std::string& device);
  /// Every property with the value in use.
  AnyMap to_map() const;
};

}  // namespace tandem::runtime
