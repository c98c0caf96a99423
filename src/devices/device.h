// The device plugin seam: the five questions every device answers, and nothing more.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "execution/kernel.h"
#include "ir/graph.h"
#include "tandem/device_launches.h"
#include "tandem/element_type.h"
#include "tandem/infer_request.h"
#include "tandem/value.h"

namespace tandem::devices {

/// Who a device is and what it can do, for `tandem devices` and the placement report.
struct DeviceInfo {
  std::string name;       // "CPU", "VNPU", "NPU", "GPU"
  std::string full_name;  // "AMD EPYC 9R14 (2 cores)", "tandem virtual NPU (software device)"
  bool is_virtual = false;      // a software stand-in for hardware, never presented as acceleration
  bool dynamic_shapes = true;   // false: every shape must be static at compile time
  std::vector<std::string> precisions;  // what its arithmetic can be: "f32", "bf16", "f16", "int8"
  std::string memory;           // "host memory" or its own memory, e.g. "512 MiB device memory"
  /// Requests it executes at once under the THROUGHPUT hint (1 under LATENCY, NUM_STREAMS where
  /// given); the runtime gives it that many workers. 0: the CPU's rule, a stream per core's share
  /// of INFERENCE_NUM_THREADS.
  int throughput_streams = 1;
};

/// One check of a diagnosis: what was looked for, whether it was found, and the fix if not.
struct Check {
  std::string what;
  bool ok = false;
  std::string found;  // what was seen, e.g. "no /dev/accel/accel* device node"
  std::string fix;    // what the user should do when !ok
};

/// Why a device is present or absent, as a list of checks each with its fix.
class Diagnosis {
 public:
  explicit Diagnosis(std::string device) : device_(std::move(device)) {}
  void check(std::string what, bool ok, std::string found, std::string fix = {});
  /// Present when every check passed.
  bool available() const;
  const std::string& device() const { return device_; }
  const std::vector<Check>& checks() const { return checks_; }
  /// One line: "NPU: unavailable: no /dev/accel/accel* device node; install the Intel NPU driver".
  std::string summary() const;

 private:
  std::string device_;
  std::vector<Check> checks_;
};

/// The answer to "can you run this node?"; a no carries one line for the placement report.
struct Support {
  bool ok = false;
  std::string reason;
};

/// What compile needs besides the subgraph.
struct CompileOptions {
  ElementType inference_precision = ElementType::F32;
  int threads_per_worker = 1;  // OpenMP threads a worker's kernels may use
  std::string where;           // prefix for error messages: the model's path
  int shape_cache_capacity = 4;  // input shapes a model with dynamic inputs may be compiled for
  /// The runtime's graph passes, for a device that compiles a subgraph again once its input
  /// shapes are known (fusions that need static shapes then apply); null for none.
  std::function<std::shared_ptr<const ir::Model>(std::shared_ptr<const ir::Model>)> optimize;
  /// The runtime's pass that lays 2-D convolutions and pools out channels-last (ChannelsLast
  /// nodes, ops/nn/channels_last.h), for a device whose kernels run fastest so; null for none.
  std::function<std::shared_ptr<const ir::Model>(std::shared_ptr<const ir::Model>)> channels_last;
};

/// A compiled subgraph: kernels chosen, weights packed, nothing left to decide at run time.
/// run() is called by many workers at once and must be thread-safe.
class Executable {
 public:
  virtual ~Executable() = default;
  /// Runs one inference. `inputs` are in the order of the subgraph's inputs and live in this
  /// device's memory (made by its copy_to_device, or outputs of its executables); the outputs do
  /// too. With `profile`, appends one record per node.
  virtual std::vector<Value> run(std::vector<Value> inputs, std::vector<ProfilingInfo>* profile) const = 0;
  /// The same into the caller's vectors, whose capacity a device may reuse from run to run:
  /// `inputs` may be moved from, `outputs` is replaced.
  virtual void run_into(std::vector<Value>& inputs, std::vector<Value>& outputs,
                        std::vector<ProfilingInfo>* profile) const {
    outputs = run(std::move(inputs), profile);
  }
  /// What the device enqueued for the runs so far; nothing for kernels run on host threads.
  virtual DeviceLaunches launches() const { return {}; }
};

class Device {
 public:
  virtual ~Device() = default;
  // 1. Who am I? If absent, what is missing and the fix.
  virtual DeviceInfo info() const = 0;
  virtual Diagnosis diagnose() const = 0;
  // 2. What can I run? Judged on op, opset, dtypes, shapes and attributes, as the planner inferred
  //    them for the whole model (constant inputs carry their values).
  virtual Support supports(const execution::NodeInfo& node) const = 0;
  // 3. Compile a subgraph (a model of its own: inputs, outputs, initializers, nodes).
  //    The executable keeps `subgraph` alive.
  virtual std::unique_ptr<Executable> compile(std::shared_ptr<const ir::Model> subgraph,
                                              const CompileOptions& options) const = 0;
  // 4. Move bytes. A device sharing host memory (the CPU) takes host values as they are.
  virtual bool shares_host_memory() const { return false; }
  /// A host value copied into this device's memory, in its storage format.
  virtual Value copy_to_device(const Value& host) const = 0;
  /// A value of this device's memory copied back to the host as the logical type `type`.
  virtual Value copy_to_host(const Value& on_device, const ValueType& type) const = 0;
  /// The element type a `logical` tensor has in this device's memory (what copy_to_device makes).
  virtual ElementType storage_type(ElementType logical) const { return logical; }
  /// Bytes a value occupies in this device's memory (for the placement report's transfers).
  size_t device_bytes(const ValueType& type) const;
  /// Zeroed host memory that this device copies from and to fastest (the GPU's page-locked
  /// memory, which its copies read without staging); ordinary host memory unless overridden.
  virtual Tensor host_tensor(ElementType type, const Shape& shape) const { return Tensor(type, shape); }
  // 5. Save and load for the model cache. The runtime owns the blob's header (magic, format,
  //    versions of tandem and its libraries, model hash, shapes, precision) and checks it, and a
  //    checksum, before a device sees its payload. Both throw Unsupported unless overridden.
  /// The bytes load() rebuilds `executable` from; it must come from this device's compile or load.
  virtual std::string save(const Executable& executable) const;
  /// An executable from save()'s bytes, as compile would have made it, without compiling again.
  /// Throws InvalidArgument when the payload is not such bytes.
  virtual std::unique_ptr<Executable> load(std::string_view payload,
                                           const CompileOptions& options) const;
};

}  // namespace tandem::devices
