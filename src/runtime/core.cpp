// Core, Model, CompiledModel and InferRequest: the public API's thin layer over the runtime.
#include "tandem/core.h"

#include <fmt/format.h>

#include <algorithm>

#include "devices/registry.h"
#include "frontend/onnx/reader.h"
#include "runtime/compile_config.h"
#include "runtime/compiled_state.h"
#include "runtime/device_tensors.h"
#include "runtime/model_blob.h"
#include "runtime/model_cache.h"
#include "runtime/request_state.h"

namespace tandem {
namespace {

void count_ops(const ir::Graph& graph, std::map<std::string, int>& histogram, size_t& nodes) {
  for (const ir::Node& node : graph.nodes) {
    ++histogram[node.domain.empty() || node.domain == "ai.onnx" ? node.op_type : node.domain + "." + node.op_type];
    ++nodes;
    for (const auto& [key, attribute] : node.attributes) {
      if (const auto* g = std::get_if<ir::GraphPtr>(&attribute))
        if (*g) count_ops(**g, histogram, nodes);
      if (const auto* gs = std::get_if<std::vector<ir::GraphPtr>>(&attribute))
        for (const auto& g : *gs)
          if (g) count_ops(*g, histogram, nodes);
    }
  }
}

CompiledModel compile(std::shared_ptr<const ir::Model> model, const std::string& device, const AnyMap& properties) {
  auto config = runtime::CompileConfig::resolve(properties, device);
  if (!config.cache_dir.empty())
    return CompiledModel(runtime::compile_cached(std::move(model), device, properties, config));
  return CompiledModel(std::make_shared<const runtime::CompiledState>(std::move(model), device, std::move(config)));
}

}  // namespace

Model::Model(std::shared_ptr<const ir::Model> model) : model_(std::move(model)) {}
const std::vector<Port>& Model::inputs() const { return model_->graph->inputs; }
const std::vector<Port>& Model::outputs() const { return model_->graph->outputs; }
std::map<std::string, int> Model::opsets() const { return {model_->opsets.begin(), model_->opsets.end()}; }
std::string Model::producer() const { return model_->producer; }
std::string Model::path() const { return model_->path; }

std::map<std::string, int> Model::op_histogram() const {
  std::map<std::string, int> histogram;
  size_t nodes = 0;
  count_ops(*model_->graph, histogram, nodes);
  return histogram;
}

size_t Model::node_count() const {
  std::map<std::string, int> histogram;
  size_t nodes = 0;
  count_ops(*model_->graph, histogram, nodes);
  return nodes;
}

Model Model::reshape(const std::map<std::string, PartialShape>& shapes) const {
  auto model = std::make_shared<ir::Model>(*model_);
  auto graph = std::make_shared<ir::Graph>(*model_->graph);  // nodes and weights are shared handles
  for (const auto& [name, shape] : shapes) {
    auto port = std::find_if(graph->inputs.begin(), graph->inputs.end(), [&](const Port& p) { return p.name == name; });
    if (port == graph->inputs.end())
      throw Error(ErrorKind::InvalidArgument, fmt::format("reshape: the model has no input '{}'", name));
    if (!port->type.is_tensor())
      throw Error(ErrorKind::InvalidArgument, fmt::format("reshape: input '{}' is not a tensor", name));
    if (port->type.shape.rank_known() && shape.rank_known() && port->type.shape.rank() != shape.rank())
      throw Error(ErrorKind::InvalidArgument, fmt::format("reshape: input '{}' has shape {}; {} has another rank",
                                                          name, to_string(port->type.shape), to_string(shape)));
    port->type.shape = shape;
  }
  model->graph = std::move(graph);
  return Model(std::move(model));
}

Model Core::read_model(const std::string& path) const { return Model(onnx_frontend::read_model(path)); }

CompiledModel Core::compile_model(const Model& model, const std::string& device, const AnyMap& properties) const {
  return compile(model.ir(), device, properties);
}

CompiledModel Core::compile_model(Model&& model, const std::string& device, const AnyMap& properties) const {
  return compile(std::move(model).release_ir(), device, properties);
}

CompiledModel Core::import_model(std::istream& blob, const AnyMap& properties) const {
  std::string bytes;
  // A file's size is known: one allocation instead of a doubling string's copies of 100 MB.
  if (const auto start = blob.tellg(); start >= 0 && blob.seekg(0, std::ios::end)) {
    bytes.reserve(size_t(blob.tellg() - start));
    blob.seekg(start);
  }
  blob.clear();
  char buffer[1 << 16];
  while (blob.read(buffer, sizeof buffer) || blob.gcount() > 0) bytes.append(buffer, size_t(blob.gcount()));
  if (blob.bad()) throw Error(ErrorKind::InvalidArgument, "import_model: the stream could not be read");
  return CompiledModel(runtime::read_blob(bytes, properties));
}

CompiledModel Core::compile_model(const std::string& path, const std::string& device,
                                  const AnyMap& properties) const {
  return compile_model(read_model(path), device, properties);
}

std::vector<std::string> Core::available_devices() const {
  std::vector<std::string> names;
  for (const devices::Device* device : devices::all_devices())
    if (device->diagnose().available()) names.push_back(device->info().name);
  return names;
}

Tensor Core::create_tensor(ElementType type, const Shape& shape, const std::string& device) const {
  return runtime::create_device_tensor(type, shape, device);
}
Tensor Core::copy_tensor(const Tensor& tensor, const std::string& device) const {
  return runtime::copy_tensor(tensor, device);
}
Tensor Core::create_host_tensor(ElementType type, const Shape& shape, const std::string& device) const {
  return runtime::create_host_tensor(type, shape, device);
}

std::map<std::string, std::string> Core::query_model(const Model& model, const std::string& device,
                                                     const AnyMap& properties) const {
  return runtime::query_placement(model.ir(), device, runtime::CompileConfig::resolve(properties, device));
}

CompiledModel::CompiledModel(std::shared_ptr<const runtime::CompiledState> state) : state_(std::move(state)) {}
InferRequest CompiledModel::create_infer_request() const {
  return InferRequest(std::make_shared<runtime::RequestState>(state_));
}
const std::vector<Port>& CompiledModel::inputs() const { return state_->inputs(); }
const std::vector<Port>& CompiledModel::outputs() const { return state_->outputs(); }
std::string CompiledModel::device() const { return state_->device(); }
const Placement& CompiledModel::placement() const { return state_->placement(); }
std::map<std::string, std::chrono::microseconds> CompiledModel::device_busy_time() const {
  return state_->busy_time();
}
std::map<std::string, DeviceLaunches> CompiledModel::device_launches() const { return state_->launches(); }
AnyMap CompiledModel::properties() const {
  AnyMap all = state_->config().to_map();
  all[properties::kLoadedFromCache] = state_->loaded_from_blob() ? "YES" : "NO";
  return all;
}
void CompiledModel::export_model(std::ostream& out) const {
  const std::string bytes = runtime::write_blob(*state_);
  if (!out.write(bytes.data(), std::streamsize(bytes.size())) || !out.flush())
    throw Error(ErrorKind::Runtime, fmt::format("export_model: writing the {}-byte blob failed", bytes.size()));
}
std::string CompiledModel::get_property(const std::string& name) const {
  AnyMap all = properties();
  auto it = all.find(name);
  if (it == all.end())
    throw Error(ErrorKind::InvalidArgument, fmt::format("get_property: compiled model has no property '{}'", name));
  return it->second;
}

InferRequest::InferRequest(std::shared_ptr<runtime::RequestState> state) : state_(std::move(state)) {}
void InferRequest::set_tensor(const std::string& name, const Tensor& tensor) {
  state_->set_input(name, Value(tensor), "set_tensor");
}
Tensor InferRequest::get_tensor(const std::string& name) const {
  Value v = state_->get(name, "get_tensor");
  if (!v.is_tensor())
    throw Error(ErrorKind::InvalidArgument, fmt::format("get_tensor: '{}' holds no tensor; use get_value", name));
  return v.tensor();
}
void InferRequest::set_value(const std::string& name, const Value& value) {
  state_->set_input(name, value, "set_value");
}
Value InferRequest::get_value(const std::string& name) const { return state_->get(name, "get_value"); }
void InferRequest::set_output_device(const std::string& name, const std::string& device) {
  state_->set_output_device(name, device);
}
void InferRequest::infer() { state_->infer(); }
void InferRequest::start_async() { state_->start_async(); }
void InferRequest::wait() { state_->wait(); }
bool InferRequest::wait_for(std::chrono::milliseconds timeout) { return state_->wait_for(timeout); }
void InferRequest::set_callback(std::function<void(std::exception_ptr)> callback) {
  state_->set_callback(std::move(callback));
}
void InferRequest::cancel() { state_->cancel(); }
std::vector<ProfilingInfo> InferRequest::profiling_info() const { return state_->profiling_info(); }

}  // namespace tandem
