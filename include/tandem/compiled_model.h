// CompiledModel: a model prepared for one device, ready to create infer requests.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/device_launches.h"
#include "tandem/infer_request.h"
#include "tandem/placement.h"
#include "tandem/properties.h"
#include "tandem/value.h"

namespace tandem {

namespace runtime {
class CompiledState;
}

/// The first bytes of every blob export_model writes: what tells a blob from an ONNX file.
inline constexpr std::string_view kCompiledModelMagic{"TANDEM\0\1", 8};

/// Read-only once compiled; safe to use from many threads. Requests keep it alive, so it may be
/// destroyed while its requests still run.
class CompiledModel {
 public:
  explicit CompiledModel(std::shared_ptr<const runtime::CompiledState> state);

  InferRequest create_infer_request() const;
  const std::vector<Port>& inputs() const;
  const std::vector<Port>& outputs() const;
  /// The device it was compiled for, as asked: "CPU", "VNPU", "HETERO:VNPU,CPU", "AUTO".
  std::string device() const;
  /// Where every node runs, the subgraphs per device and the copies between memories.
  const Placement& placement() const;
  /// Time each device has spent running this model's stages and copies since it was compiled,
  /// by device name (thread-safe). Busy times of two devices may overlap: that is pipelining.
  std::map<std::string, std::chrono::microseconds> device_busy_time() const;
  /// What each device launched for this model's runs since it was compiled, by device name
  /// (thread-safe): on the GPU, one CUDA graph per run of each of its subgraphs.
  std::map<std::string, DeviceLaunches> device_launches() const;
  /// A property's value as in use: PERFORMANCE_HINT, NUM_STREAMS, INFERENCE_NUM_THREADS,
  /// ENABLE_PROFILING, INFERENCE_PRECISION_HINT, OPTIMAL_NUMBER_OF_INFER_REQUESTS,
  /// ALLOW_CPU_FALLBACK, CACHE_DIR, LOADED_FROM_CACHE. Throws InvalidArgument for another name.
  std::string get_property(const std::string& name) const;
  /// Every property get_property answers, with its value.
  AnyMap properties() const;
  /// Writes the compiled model as a blob that Core::import_model loads without compiling: a header
  /// (format, tandem's and oneDNN's versions, devices, the model's hash, shapes, precision), the
  /// stages and the placement, and each device's compiled executable. Thread-safe. Throws
  /// Unsupported when a device it uses cannot save, Runtime when `out` fails.
  void export_model(std::ostream& out) const;

 private:
  std::shared_ptr<const runtime::CompiledState> state_;
};

}  // namespace tandem
