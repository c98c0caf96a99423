// Core: the entry point. Reads models, lists devices, compiles models for a device.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tandem/compiled_model.h"
#include "tandem/model.h"

namespace tandem {

/// Properties by their string names ("PERFORMANCE_HINT" → "LATENCY").
using AnyMap = std::map<std::string, std::string>;

class Core {
 public:
  /// Reads an ONNX model (with its external data files). Throws InvalidModel naming the file, and
  /// the node, op, domain and opset where it applies.
  Model read_model(const std::string& path) const;
  /// Compiles for a device ("CPU"). Throws Unsupported for ops no device can run, naming them.
  CompiledModel compile_model(const Model& model, const std::string& device = "CPU",
                              const AnyMap& properties = {}) const;
  CompiledModel compile_model(const std::string& path, const std::string& device = "CPU",
                              const AnyMap& properties = {}) const;
  /// Devices present on this machine, in priority order.
  std::vector<std::string> available_devices() const;
};

}  // namespace tandem
