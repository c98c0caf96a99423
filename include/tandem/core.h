// Core: the entry point. Reads models, lists devices, compiles models for a device.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tandem/compiled_model.h"
#include "tandem/model.h"
#include "tandem/properties.h"

namespace tandem {

class Core {
 public:
  /// Reads an ONNX model (with its external data files). Throws InvalidModel naming the file, and
  /// the node, op, domain and opset where it applies.
  Model read_model(const std::string& path) const;
  /// Compiles for a device ("CPU") with properties (tandem/properties.h); explicit properties
  /// override what a performance hint chose. Throws Unsupported for ops no device can run, naming
  /// them, and InvalidArgument for an unknown property or value.
  CompiledModel compile_model(const Model& model, const std::string& device = "CPU",
                              const AnyMap& properties = {}) const;
  CompiledModel compile_model(const std::string& path, const std::string& device = "CPU",
                              const AnyMap& properties = {}) const;
  /// Devices present on this machine, in priority order.
  std::vector<std::string> available_devices() const;
};

}  // namespace tandem
