// The VNPU's executable: the f16 rewrite of its subgraph, planned once with reference kernels
// (which compute half types through float: FP16 storage, FP32 accumulation), a static memory plan,
// and profile records that say where and in what precision each node ran.
#include "devices/vnpu/executable.h"

#include <fmt/format.h>

#include <optional>
#include <set>

#include "devices/blob_io.h"
#include "devices/vnpu/memory.h"
#include "execution/graph_executor.h"
#include "frontend/onnx/reader.h"
#include "frontend/onnx/writer.h"

namespace tandem::vnpu {
namespace {

bool is_quantised_op(const std::string& op) {
  static const std::set<std::string> kOps = {"QuantizeLinear", "DequantizeLinear", "QLinearConv",
                                             "QLinearMatMul",  "MatMulInteger",    "ConvInteger"};
  return kOps.contains(op);
}

size_t bytes_of(const ValueType& type) {
  if (!type.is_tensor() || !type.shape.is_static() || type.element_type == ElementType::Undefined)
    return 0;
  return size_t(shape_size(type.shape.to_shape())) * element_size(type.element_type);
}

// The most bytes that values computed by the steps occupy at once, freeing each after its last
// reader as the executor does. Inputs belong to the caller and constants to the weights.
size_t peak_activation_bytes(const execution::GraphPlan& plan) {
  std::set<int> computed;
  size_t live = 0, peak = 0;
  for (const execution::Step& step : plan.steps()) {
    for (int slot : step.outputs)
      if (slot >= 0) {
        computed.insert(slot);
        live += bytes_of(plan.slot_type(slot));
      }
    peak = std::max(peak, live);
    for (int slot : step.release)
      if (computed.contains(slot)) live -= bytes_of(plan.slot_type(slot));
  }
  return peak;
}

size_t constant_bytes(const execution::GraphPlan& plan) {
  size_t bytes = 0;
  for (const auto& [slot, value] : plan.constants())
    if (value.is_tensor()) bytes += value.tensor().byte_size();
  return bytes;
}

// Records from `first` on ran here, in f16 or int8. The Casts the rewrite added belong to the node
// after them: their time is counted in its record, which then starts where they did.
void relabel(std::vector<ProfilingInfo>& records, size_t first,
             const std::set<std::string>& added_nodes) {
  std::optional<ProfilingInfo> carried;
  size_t kept = first;
  for (size_t r = first; r < records.size(); ++r) {
    if (added_nodes.contains(records[r].node_name)) {
      if (carried)
        carried->real_time += records[r].real_time;
      else
        carried = records[r];
      continue;
    }
    ProfilingInfo record = std::move(records[r]);
    record.device = "VNPU";
    record.exec_type = is_quantised_op(record.node_type) ? "vnpu_int8" : "vnpu_f16";
    if (carried) {
      record.real_time += carried->real_time;
      record.start = carried->start;
      carried.reset();
    }
    records[kept++] = std::move(record);
  }
  records.resize(kept);
}

}  // namespace

VnpuExecutable::VnpuExecutable(std::shared_ptr<const ir::Model> subgraph,
                               const devices::CompileOptions& options)
    : VnpuExecutable(subgraph, to_half_precision(*subgraph), options) {}

// No kernel selector: the reference kernels are the VNPU's kernels.
VnpuExecutable::VnpuExecutable(std::shared_ptr<const ir::Model> subgraph, HalfPrecisionModel half,
                               const devices::CompileOptions& options,
                               std::optional<MemoryFigures> figures)
    : source_(std::move(subgraph)),
      model_(std::move(half.model)),
      added_nodes_(std::move(half.added_nodes)),
      plan_(*model_->graph, model_->opsets, execution::OuterScope{}, options.where),
      weight_bytes_(figures ? figures->weight_bytes : constant_bytes(plan_)),
      weights_(device_memory().reserve(weight_bytes_)),
      activation_bytes_(figures ? figures->activation_bytes : peak_activation_bytes(plan_)) {}

std::string VnpuExecutable::save() const {
  devices::BlobWriter out;
  out.u64(weight_bytes_);
  out.u64(activation_bytes_);
  out.u64(added_nodes_.size());
  for (const std::string& name : added_nodes_) out.bytes(name);
  out.bytes(onnx_frontend::write_model(*model_));
  return out.take();
}

std::unique_ptr<VnpuExecutable> VnpuExecutable::load(std::string_view payload,
                                                     const devices::CompileOptions& options) {
  devices::BlobReader in(payload, "VNPU: load");
  MemoryFigures figures;
  figures.weight_bytes = size_t(in.u64());
  figures.activation_bytes = size_t(in.u64());
  // A real NPU's blob would not fit its memory either; so the figures cannot reserve the absurd.
  if (figures.weight_bytes > kDeviceMemoryBytes || figures.activation_bytes > kDeviceMemoryBytes)
    throw in.error("the payload's memory plan exceeds VNPU memory");
  HalfPrecisionModel half;
  for (size_t n = in.count(8); n > 0; --n) half.added_nodes.insert(in.string());
  const std::string_view onnx = in.bytes();
  if (in.left() != 0) throw in.error("the payload has bytes after its end");
  try {
    half.model = onnx_frontend::read_model_bytes(onnx, options.where);
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidArgument, fmt::format("VNPU: the payload is no saved VNPU executable: {}", e.what()));
  }
  return std::unique_ptr<VnpuExecutable>(new VnpuExecutable(nullptr, std::move(half), options, figures));
}

std::vector<Value> VnpuExecutable::run(std::vector<Value> inputs,
                                       std::vector<ProfilingInfo>* profile) const {
  const std::vector<int>& slots = plan_.input_slots();
  for (size_t i = 0; i < inputs.size() && i < slots.size(); ++i) {
    const ValueType& expected = plan_.slot_type(slots[i]);
    if (!inputs[i].is_tensor() || !expected.is_tensor()) continue;
    const ElementType got = inputs[i].tensor().element_type();
    if (expected.element_type != ElementType::Undefined && got != expected.element_type)
      throw Error(
          ErrorKind::InvalidArgument,
          fmt::format("VNPU: input {} ('{}') is {}, expected {} in VNPU memory; copy it with "
                      "copy_to_device first",
                      i, plan_.graph().inputs[i].name, describe(inputs[i].tensor()),
                      to_string(expected.element_type)));
  }
  const size_t first_record = profile ? profile->size() : 0;
  std::vector<Value> outputs;
  {
    auto activations = device_memory().reserve(activation_bytes_);
    outputs = execution::execute(plan_, std::move(inputs), nullptr, profile);
  }
  // Outputs stay in VNPU memory; an f32 one (none, if the rewrite covered every op) is stored as
  // f16 like any other.
  for (Value& output : outputs) {
    if (!output.is_tensor()) continue;
    const Tensor& t = output.tensor();
    output = t.element_type() == ElementType::F32 ? to_device(t, device_memory())
                                                  : device_memory().adopt(t);
  }
  if (profile) relabel(*profile, first_record, added_nodes_);
  return outputs;
}

}  // namespace tandem::vnpu
