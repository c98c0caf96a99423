// Core: the entry point. Reads models, lists devices, compiles models for a device.
#pragma once

#include <istream>
#include <map>
#include <string>
#include <vector>

#include "tandem/compiled_model.h"
#include "tandem/device_info.h"
#include "tandem/model.h"
#include "tandem/properties.h"

namespace tandem {

class Core {
 public:
  /// Reads an ONNX model (with its external data files). Throws InvalidModel naming the file, and
  /// the node, op, domain and opset where it applies.
  Model read_model(const std::string& path) const;
  /// Compiles for a device with properties (tandem/properties.h); explicit properties override
  /// what a performance hint chose. With CACHE_DIR, a blob of an earlier compile of the same model
  /// for the same device, precision and shapes is loaded instead, and a new one is written. `device` is "CPU", an accelerator ("VNPU", "NPU", "GPU": what
  /// it cannot run falls back to the CPU unless ALLOW_CPU_FALLBACK is NO), "HETERO:A,B,..." (nodes
  /// go to the first listed device that supports them) or "AUTO" (the best device present).
  /// Throws DeviceUnavailable with the device's diagnosis when it is absent, Unsupported for ops
  /// no device can run, naming them, and InvalidArgument for an unknown property or value.
  CompiledModel compile_model(const Model& model, const std::string& device = "CPU",
                              const AnyMap& properties = {}) const;
  /// The same for a model handed over (`std::move(model)`, or a temporary): where nothing else
  /// holds it, the weights a device packs are let go of as it packs them, so that compiling and
  /// running hold them once instead of twice.
  CompiledModel compile_model(Model&& model, const std::string& device = "CPU",
                              const AnyMap& properties = {}) const;
  CompiledModel compile_model(const std::string& path, const std::string& device = "CPU",
                              const AnyMap& properties = {}) const;
  /// A compiled model from a blob CompiledModel::export_model (or `tandem compile`) wrote, compiling
  /// nothing: it runs on the devices it was compiled for, with the placement it had. `properties`
  /// are compile_model's: streams, threads and profiling apply as given; INFERENCE_PRECISION_HINT,
  /// if given, must be the blob's. Throws InvalidArgument naming what is wrong (not a blob,
  /// truncated or corrupt, another blob format or tandem or oneDNN version, another precision),
  /// DeviceUnavailable when a device it uses is absent now.
  CompiledModel import_model(std::istream& blob, const AnyMap& properties = {}) const;
  /// Devices present on this machine, in priority order.
  std::vector<std::string> available_devices() const;
  /// Every device built in, present or not, in AUTO's priority order, each with its diagnosis.
  /// Probes the machine (device nodes, driver libraries through dlopen); an absent device is
  /// described, never thrown about. Thread-safe.
  std::vector<DeviceDescription> devices() const;
  /// The device called `name` ("NPU"). Throws InvalidArgument naming the known devices if tandem
  /// has none by that name.
  DeviceDescription device(const std::string& name) const;
  /// Which device each node of the model's main graph would run on if compiled for `device`, by
  /// node name, without compiling it. Throws as compile_model does.
  std::map<std::string, std::string> query_model(const Model& model, const std::string& device,
                                                 const AnyMap& properties = {}) const;
};

}  // namespace tandem
