// The settings a model is compiled with: properties given, hints resolved, values actually used.
#pragma once

#include <algorithm>
#include <string>

#include "devices/device.h"
#include "tandem/properties.h"

namespace tandem::runtime {

struct CompileConfig {
  std::string hint = "LATENCY";
  int threads = 1;   // threads the CPU's streams together may use
  int requested_streams = 0;  // NUM_STREAMS as given; 0: from the hint
  int cpu_streams = 1;  // the CPU's workers running requests concurrently, sharing `threads`
  int streams = 1;      // NUM_STREAMS as reported: the first device's (streams_on)
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
  /// Requests a device runs at once: NUM_STREAMS where given, else 1 under LATENCY and the
  /// device's throughput_streams otherwise; the CPU's (throughput_streams 0) are cpu_streams.
  int streams_on(const devices::DeviceInfo& device) const;
  /// OpenMP threads each of the CPU's streams may use: an equal share of `threads`.
  int threads_per_cpu_stream() const { return std::max(1, threads / cpu_streams); }
  /// Reports the streams of `first`, the device the hint is honoured by, and asks for a request
  /// queued behind each of them.
  void adopt(const devices::DeviceInfo& first);
  /// Every property with the value in use.
  AnyMap to_map() const;
};

}  // namespace tandem::runtime
