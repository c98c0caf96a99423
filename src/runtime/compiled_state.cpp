// Compilation: opset check, device choice, placement, partition, one executable per stage, and
// the copies between memories planned once.
#include "runtime/compiled_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <set>

#include "devices/registry.h"
#include "execution/graph_plan.h"
#include "passes/optimize.h"
#include "passes/partition.h"
#include "passes/placement.h"
#include "runtime/device_selection.h"
#include "runtime/model_hash.h"

namespace tandem::runtime {
namespace {

// Ports, nodes and opsets without the initializers: what a compiled model keeps of its graph.
std::shared_ptr<const ir::Model> without_constants(const ir::Model& model) {
  auto copy = std::make_shared<ir::Model>(model);
  copy->graph = std::make_shared<ir::Graph>();
  copy->graph->name = model.graph->name;
  copy->graph->inputs = model.graph->inputs;
  copy->graph->outputs = model.graph->outputs;
  copy->graph->value_types = model.graph->value_types;
  copy->graph->nodes = model.graph->nodes;
  return copy;
}

// The newest opset of the default domain whose ops the library defines, version by version.
constexpr int kMaxOpset = 28;

const ir::Model& supported(const ir::Model& model) {
  const int opset = model.opset("");
  if (opset > kMaxOpset)
    throw Error(ErrorKind::Unsupported,
                fmt::format("{}: the model imports opset {} of domain 'ai.onnx'; tandem supports opsets 1 to {}",
                            model.path, opset, kMaxOpset));
  return model;
}

ElementType precision_of(const std::string& hint) {
  return hint == "bf16" ? ElementType::BF16 : hint == "f16" ? ElementType::F16 : ElementType::F32;
}

// The hint chooses between f32 and a reduced precision on devices that compute in f32 (the CPU);
// the others have one precision of their own (the VNPU's f16).
void require_precision(const devices::Device& device, const std::string& precision) {
  const devices::DeviceInfo info = device.info();
  const auto& offered = info.precisions;
  if (std::find(offered.begin(), offered.end(), "f32") == offered.end() ||
      std::find(offered.begin(), offered.end(), precision) != offered.end())
    return;
  throw Error(ErrorKind::Unsupported,
              fmt::format("compile_model: INFERENCE_PRECISION_HINT {} is not offered by {} on this machine: it "
                          "computes in {}{}; use f32",
                          precision, info.name, fmt::join(offered, ", "),
                          precision == "bf16" ? " (bf16 needs a CPU with AVX-512 BF16 or AMX)" : ""));
}

void require_static_inputs(const ir::Graph& graph, const devices::Device& device) {
  for (const Port& input : graph.inputs)
    if (input.type.is_tensor() && !input.type.shape.is_static())
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("compile_model: {} needs static shapes, but input '{}' is {}; reshape the model "
                              "first (Model::reshape, or -shape on the command line)",
                              device.info().name, input.name, to_string(input.type)));
}

// Types inferred and constants folded for the whole graph (no kernels chosen), then every
// remaining node placed on the first device that supports it.
struct Analysis {
  std::unique_ptr<execution::GraphPlan> plan;
  std::vector<passes::NodePlacement> placed;
};

Analysis analyse(const ir::Model& model, const std::vector<const devices::Device*>& devices) {
  for (const devices::Device* d : devices)
    if (!d->info().dynamic_shapes) require_static_inputs(*model.graph, *d);
  Analysis a;
  a.plan = std::make_unique<execution::GraphPlan>(*model.graph, model.opsets, execution::OuterScope{}, model.path);
  a.placed = passes::place(*a.plan, devices);
  return a;
}

// Every node of the main graph with its device.
std::vector<PlacedNode> report_nodes(const ir::Graph& graph, const std::vector<passes::NodePlacement>& placed,
                                     const std::vector<const devices::Device*>& devices) {
  std::unordered_map<const ir::Node*, const passes::NodePlacement*> where;
  for (const passes::NodePlacement& p : placed) where[p.step->node] = &p;
  std::vector<PlacedNode> nodes;
  for (const ir::Node& node : graph.nodes) {
    auto it = where.find(&node);
    // A folded node's outputs are constants of the executables reading them: it counts with the
    // first device, like the weights.
    PlacedNode report{node.name, node.op_type, devices.front()->info().name, it == where.end(), {}, node.inputs,
                      node.outputs};
    if (it != where.end()) {
      report.device = devices[it->second->device]->info().name;
      report.reason = it->second->reason;
    }
    nodes.push_back(std::move(report));
  }
  return nodes;
}

}  // namespace

std::map<std::string, std::string> query_placement(std::shared_ptr<const ir::Model> model, const std::string& device,
                                                   const CompileConfig& config) {
  supported(*model);
  DeviceChoice choice = choose_devices(device, config);
  std::map<std::string, std::string> devices;
  if (choice.devices.size() == 1 && choice.devices.front()->shares_host_memory()) {
    for (const ir::Node& node : model->graph->nodes) devices[node.name] = choice.devices.front()->info().name;
    return devices;
  }
  Analysis a = analyse(*model, choice.devices);
  for (const PlacedNode& node : report_nodes(*model->graph, a.placed, choice.devices)) devices[node.name] = node.device;
  return devices;
}

CompiledState::CompiledState(std::shared_ptr<const ir::Model> model, std::string device, CompileConfig config)
    : model_(passes::optimize(model)), device_(std::move(device)), config_(std::move(config)),
      model_hash_(runtime::model_hash(*model)) {
  // The report needs only the source's nodes. Where the caller handed the model over, its weights
  // are from here on held by the optimised copy alone, which the device then owns.
  ir::Graph source;
  source.nodes = model->graph->nodes;
  model.reset();
  supported(*model_);
  DeviceChoice choice = choose_devices(device_, config_);
  // The hint is the first device's to honour; a fallback device computes in the nearest precision
  // it has (the CPU behind a GPU in f16 computes in f32).
  require_precision(*choice.devices.front(), config_.precision);
  for (const devices::Device* d : choice.devices) add_device(d);
  for (const auto& slot : devices_) placement_.devices.push_back(slot->name);
  record_streams();
  placement_.note = choice.note;
  if (choice.devices.size() == 1 && choice.devices.front()->shares_host_memory())
    compile_alone(*choice.devices.front());
  else
    compile_placed(choice.devices, choice.fallback);
  report_absorbed(source);
}

// Nodes the graph passes merged into others join the report beside the node that took them in,
// so that it accounts for every node of the model as read.
void CompiledState::report_absorbed(const ir::Graph& source) {
  const std::map<std::string, std::string> absorbed = passes::absorbed_nodes(source, *model_->graph);
  if (absorbed.empty()) return;
  std::vector<PlacedNode> nodes;
  std::multimap<std::string, const ir::Node*> merged;  // absorber -> the nodes it took in
  for (const ir::Node& node : source.nodes)
    if (auto it = absorbed.find(node.name); it != absorbed.end()) merged.emplace(it->second, &node);
  for (PlacedNode& placed : placement_.nodes) {
    nodes.push_back(placed);
    auto [first, last] = merged.equal_range(placed.name);
    for (auto it = first; it != last; ++it)
      nodes.push_back(PlacedNode{it->second->name, it->second->op_type, placed.device, false, {}, it->second->inputs,
                                 it->second->outputs, placed.name});
  }
  placement_.nodes = std::move(nodes);
}

std::vector<ProfilingInfo> CompiledState::not_run() const {
  std::vector<ProfilingInfo> records;
  for (const PlacedNode& node : placement_.nodes) {
    if (node.folded)
      records.push_back(ProfilingInfo{node.name, node.op, "constant", node.device, {}, {}, "optimised out"});
    else if (!node.fused_into.empty())
      records.push_back(
          ProfilingInfo{node.name, node.op, "fused", node.device, {}, {}, "fused into " + node.fused_into});
  }
  return records;
}

CompiledState::CompiledState(std::shared_ptr<const ir::Model> model, std::string device, CompileConfig config,
                             uint64_t model_hash, Layout layout, const std::vector<std::string_view>& payloads)
    : model_(std::move(model)), device_(std::move(device)), config_(std::move(config)), model_hash_(model_hash),
      loaded_from_blob_(true) {
  for (const std::string& name : layout.devices) {
    const devices::Device* d = devices::find_device(name);
    if (!d) throw Error(ErrorKind::InvalidArgument, fmt::format("import_model: tandem has no device '{}'", name));
    add_device(d);
  }
  value_names_ = std::move(layout.value_names);
  value_types_ = std::move(layout.value_types);
  for (size_t id = 0; id < value_names_.size(); ++id) value_ids_.emplace(value_names_[id], int(id));
  input_ids_ = std::move(layout.input_ids);
  output_ids_ = std::move(layout.output_ids);
  output_copies_ = std::move(layout.output_copies);
  constants_ = std::move(layout.constants);
  placement_ = std::move(layout.placement);
  record_streams();  // this compile's, not the saved one's
  const devices::CompileOptions options = compile_options();
  for (size_t s = 0; s < layout.stages.size(); ++s) {
    Layout::StageLayout& part = layout.stages[s];
    Stage stage{part.device, nullptr, std::move(part.inputs), std::move(part.outputs), std::move(part.copies)};
    const devices::Device& d = *devices_[stage.device]->device;
    on_worker(stage.device, [&] { stage.executable = d.load(payloads[s], options); });
    stages_.push_back(std::move(stage));
  }
}

CompiledState::~CompiledState() {
  // Workers finish their queues before the stages they run are destroyed.
  for (auto& slot : devices_) slot->workers.reset();
}

void CompiledState::add_device(const devices::Device* device) {
  auto slot = std::make_unique<DeviceSlot>();
  slot->device = device;
  const devices::DeviceInfo info = device->info();
  slot->name = info.name;
  if (!device->shares_host_memory()) slot->location = locations_++;
  slot->workers = std::make_unique<StreamExecutor>(config_.streams_on(info),
                                                   info.throughput_streams == 0 ? config_.threads_per_cpu_stream() : 1);
  if (devices_.empty()) config_.adopt(info);
  devices_.push_back(std::move(slot));
}

void CompiledState::record_streams() {
  placement_.streams.clear();
  for (const auto& slot : devices_) placement_.streams.push_back(slot->workers->streams());
}

devices::CompileOptions CompiledState::compile_options() const {
  return devices::CompileOptions{precision_of(config_.precision), config_.threads_per_cpu_stream(),
                                 model_->path, config_.shape_cache_capacity, passes::optimize,
                                 passes::channels_last};
}

int CompiledState::value_id(const std::string& name, const ValueType& type) {
  auto [it, added] = value_ids_.emplace(name, int(value_types_.size()));
  if (added) {
    value_names_.push_back(name);
    value_types_.push_back(type);
  }
  return it->second;
}

// One device running the whole graph in host memory: no analysis, no copies.
void CompiledState::compile_alone(const devices::Device& device) {
  Stage stage;
  for (const Port& input : inputs()) stage.inputs.push_back(value_id(input.name, input.type));
  for (const Port& output : outputs()) stage.outputs.push_back(value_id(output.name, output.type));
  input_ids_ = stage.inputs;
  output_ids_ = stage.outputs;
  // The device gets the only handle on the weights, so that those it packs go as it packs them.
  std::shared_ptr<const ir::Model> whole = std::exchange(model_, without_constants(*model_));
  on_worker(0, [&] { stage.executable = device.compile(std::move(whole), compile_options()); });
  stages_.push_back(std::move(stage));

  const std::string& name = devices_.front()->name;
  for (const ir::Node& node : model_->graph->nodes)
    placement_.nodes.push_back(PlacedNode{node.name, node.op_type, name, false, {}, node.inputs, node.outputs});
  placement_.subgraphs.push_back(PlacedSubgraph{name, model_->graph->nodes.size()});
}

void CompiledState::compile_placed(const std::vector<const devices::Device*>& devices, bool fallback) {
  Analysis analysed = analyse(*model_, devices);
  const execution::GraphPlan& analysis = *analysed.plan;
  const std::vector<passes::NodePlacement>& placed = analysed.placed;
  if (fallback && !config_.allow_cpu_fallback) {
    std::vector<std::string> refused;
    for (const passes::NodePlacement& p : placed)
      if (p.device != 0)
        refused.push_back(fmt::format("{}: {}", ir::describe_node(*p.step->node, p.step->opset), p.reason));
    if (!refused.empty())
      throw Error(ErrorKind::Unsupported,
                  fmt::format("compile_model: ALLOW_CPU_FALLBACK is NO and {} cannot run {} node(s): {}",
                              devices.front()->info().name, refused.size(), fmt::join(refused, "; ")));
  }
  std::vector<passes::Stage> cut = passes::partition(*model_, analysis, placed);

  for (const Port& input : inputs()) input_ids_.push_back(value_id(input.name, input.type));
  // Outputs as inferred: a reshaped model still declares its outputs' old dynamic shapes.
  for (const Port& output : outputs()) {
    const int slot = analysis.find_slot(output.name);
    output_ids_.push_back(value_id(output.name, analysis.slot_type(slot)));
    auto constant = analysis.constants().find(slot);
    if (constant != analysis.constants().end()) constants_.emplace_back(output_ids_.back(), constant->second);
  }
  const devices::CompileOptions options = compile_options();
  for (passes::Stage& part : cut) {
    Stage stage;
    stage.device = part.device;
    for (const Port& input : part.model->graph->inputs) {
      stage.inputs.push_back(value_id(input.name, input.type));
      auto constant = analysis.constants().find(analysis.find_slot(input.name));
      if (constant != analysis.constants().end()) constants_.emplace_back(stage.inputs.back(), constant->second);
    }
    for (const Port& output : part.model->graph->outputs) stage.outputs.push_back(value_id(output.name, output.type));
    std::shared_ptr<const ir::Model> sub = std::move(part.model);
    on_worker(stage.device, [&] { stage.executable = devices[stage.device]->compile(sub, options); });
    placement_.subgraphs.push_back(PlacedSubgraph{devices_[stage.device]->name, sub->graph->nodes.size()});
    stages_.push_back(std::move(stage));
  }
  plan_transfers();
  placement_.nodes = report_nodes(*model_->graph, placed, devices);
}

// Each value is copied to a memory at most once per inference: residency remembers where it is.
void CompiledState::plan_transfers() {
  std::vector<std::set<int>> resident(value_types_.size());
  for (int id : input_ids_) resident[id].insert(0);
  for (const auto& [id, value] : constants_) resident[id].insert(0);
  auto bring = [&](int id, int to, std::vector<Transfer>& copies) {
    if (resident[id].contains(to)) return;
    if (!resident[id].contains(0)) {  // device to device goes through host memory
      copies.push_back(Transfer{id, *resident[id].begin(), 0});
      resident[id].insert(0);
    }
    if (to != 0) copies.push_back(Transfer{id, 0, to});
    resident[id].insert(to);
  };
  for (Stage& stage : stages_) {
    const int location = devices_[stage.device]->location;
    for (int id : stage.inputs) bring(id, location, stage.copies);
    for (int id : stage.outputs) resident[id] = {location};
  }
  for (int id : output_ids_) bring(id, 0, output_copies_);

  auto report = [&](const Transfer& t) {
    auto name_of = [&](int location) -> std::string {
      for (const auto& slot : devices_)
        if (slot->location == location && location != 0) return slot->name;
      return "host";
    };
    const int device_location = t.to != 0 ? t.to : t.from;
    size_t bytes = 0;
    for (const auto& slot : devices_)
      if (slot->location == device_location) bytes = slot->device->device_bytes(value_types_[t.value]);
    placement_.transfers.push_back(PlacedTransfer{value_names_[t.value], name_of(t.from), name_of(t.to), bytes});
  };
  for (const Stage& stage : stages_)
    for (const Transfer& t : stage.copies) report(t);
  for (const Transfer& t : output_copies_) report(t);
}

void CompiledState::on_worker(int d, const std::function<void()>& job) const {
  StreamExecutor& workers = *devices_[d]->workers;
  if (workers.is_worker_thread()) return job();
  std::exception_ptr error;
  std::promise<void> done;
  workers.submit([&] {
    try {
      job();
    } catch (...) {
      error = std::current_exception();
    }
    done.set_value();
  });
  done.get_future().wait();
  if (error) std::rethrow_exception(error);
}

CompiledState::Layout CompiledState::layout() const {
  Layout layout;
  for (const auto& slot : devices_) layout.devices.push_back(slot->name);
  layout.value_names = value_names_;
  layout.value_types = value_types_;
  layout.input_ids = input_ids_;
  layout.output_ids = output_ids_;
  for (const Stage& stage : stages_)
    layout.stages.push_back(Layout::StageLayout{stage.device, stage.inputs, stage.outputs, stage.copies});
  layout.output_copies = output_copies_;
  layout.constants = constants_;
  layout.placement = placement_;
  return layout;
}

std::vector<std::string> CompiledState::save_stages() const {
  std::vector<std::string> payloads;
  for (const Stage& stage : stages_) payloads.push_back(devices_[stage.device]->device->save(*stage.executable));
  return payloads;
}

std::map<std::string, DeviceLaunches> CompiledState::launches() const {
  std::map<std::string, DeviceLaunches> launches;
  for (const auto& slot : devices_) launches[slot->name] = {};
  for (const Stage& stage : stages_) {
    const DeviceLaunches counted = stage.executable->launches();
    DeviceLaunches& sum = launches[devices_[stage.device]->name];
    sum.graphs += counted.graphs;
    sum.kernels += counted.kernels;
  }
  return launches;
}

std::map<std::string, std::chrono::microseconds> CompiledState::busy_time() const {
  std::map<std::string, std::chrono::microseconds> busy;
  for (const auto& slot : devices_) busy[slot->name] = std::chrono::microseconds(slot->busy_us.load());
  return busy;
}

}  // namespace tandem::runtime
