// CompiledModel: a model prepared for one device, ready to create infer requests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tandem/infer_request.h"
#include "tandem/properties.h"
#include "tandem/value.h"

namespace tandem {

namespace runtime {
class CompiledState;
}

/// Read-only once compiled; safe to use from many threads. Requests keep it alive, so it may be
/// destroyed while its requests still run.
class CompiledModel {
 public:
  explicit CompiledModel(std::shared_ptr<const runtime::CompiledState> state);

  InferRequest create_infer_request() const;
  const std::vector<Port>& inputs() const;
  const std::vector<Port>& outputs() const;
  /// The device it was compiled for, e.g. "CPU".
  std::string device() const;
  /// A property's value as in use: PERFORMANCE_HINT, NUM_STREAMS, INFERENCE_NUM_THREADS,
  /// ENABLE_PROFILING, INFERENCE_PRECISION_HINT, OPTIMAL_NUMBER_OF_INFER_REQUESTS. Throws
  /// InvalidArgument for another name.
  std::string get_property(const std::string& name) const;
  /// Every property get_property answers, with its value.
  AnyMap properties() const;

 private:
  std::shared_ptr<const runtime::CompiledState> state_;
};

}  // namespace tandem
