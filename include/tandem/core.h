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
  /// A zero-filled tensor in `device`'s own memory ("CPU": host memory), to bind as an input that
  /// needs no copy to the device, or to fill with another library's kernels (its data() is a
  /// device address). Its element type is the one the device stores `type` as: the GPU keeps every
  /// type, the VNPU keeps f32 as f16. Throws InvalidArgument for a device tandem does not know or
  /// for strings off the host, DeviceUnavailable with the diagnosis when the device is absent.
  Tensor create_tensor(ElementType type, const Shape& shape, const std::string& device) const;
  /// A copy of `tensor`, from host or device memory, in `device`'s memory ("CPU": host memory).
  /// Between two devices the bytes go through host memory. Throws as create_tensor does.
  Tensor copy_tensor(const Tensor& tensor, const std::string& device) const;
  /// Zero-filled host memory that `device` copies from and to fastest: page-locked memory for the
  /// GPU, whose copies then need no staging buffer; ordinary host memory for the others.
  Tensor create_host_tensor(ElementType type, const Shape& shape, const std::string& device) const;
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
