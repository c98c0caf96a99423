// CompiledModel: a model prepared for one device, ready to create infer requests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tandem/infer_request.h"
#include "tandem/value.h"

namespace tandem {

namespace runtime {
class CompiledState;
}

/// Read-only once compiled; safe to use from many threads. Requests keep it alive.
class CompiledModel {
 public:
  explicit CompiledModel(std::shared_ptr<const runtime::CompiledState> state);

  InferRequest create_infer_request() const;
  const std::vector<Port>& inputs() const;
  const std::vector<Port>& outputs() const;
  /// The device it was compiled for, e.g. "CPU".
  std::string device() const;

 private:
  std::shared_ptr<const runtime::CompiledState> state_;
};

}  // namespace tandem
