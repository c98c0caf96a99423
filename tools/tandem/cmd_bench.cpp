// tandem bench: a model's latency and throughput on a device, with benchmark_app's flags and
// steps, MLPerf's scenarios, per-node counters and a JSON report (docs/bench_report.schema.json).
#include "commands.h"
#include "bench_report.h"
#include "bench_runner.h"
#include "inputs.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace tandem::cli {
namespace {

using namespace bench;

constexpr int kSteps = 7;
// benchmark_app runs 60 s on a CPU; with reference kernels a minute adds little but waiting.
constexpr double kDefaultSeconds = 10;

double ms_since(Clock::time_point start) { return ms_between(start, Clock::now()); }

void step(int n, const std::string& what) {
  fmt::print("[Step {}/{}] {}\n", n, kSteps, what);
  std::fflush(stdout);
}

Error invalid(std::string message) { return Error(ErrorKind::InvalidArgument, std::move(message)); }

// ---- Shapes: -shape input[1,3,224,224],mask[1,128] or input=1,3,224,224 -------------------------

// A dimension as written: a size, or nullopt for "?", "-1" and ranges "1..8" (dynamic).
using DimText = std::optional<int64_t>;

// `text` is the dimensions alone; `whole` the flag's value, for messages.
std::vector<DimText> parse_dim_list(const std::string& flag, const std::string& whole,
                                    const std::string& text) {
  std::vector<DimText> dims;
  if (text.empty()) return dims;  // a scalar
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find_first_of(",x", begin);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(begin, end - begin);
    if (item == "?" || item == "-1" || item.find("..") != std::string::npos) {
      dims.push_back(std::nullopt);
    } else {
      size_t used = 0;
      long long value = -1;
      try {
        value = std::stoll(item, &used);
      } catch (const std::exception&) {
      }
      if (used != item.size() || value < 0)
        throw invalid(
            fmt::format("{} {}: '{}' is not a size; write sizes such as 1,3,224,224 "
                        "(? or -1 for a dynamic one)",
                        flag, whole, item));
      dims.push_back(value);
    }
    begin = end + 1;
  }
  return dims;
}

// benchmark_app's NAME[dims],NAME[dims] (a lone [dims] for a one-input model), or NAME=dims.
std::map<std::string, std::vector<DimText>> parse_shapes(const std::string& flag,
                                                         const std::vector<std::string>& texts,
                                                         const std::vector<Port>& ports) {
  std::map<std::string, std::vector<DimText>> shapes;
  auto add = [&](std::string name, const std::string& dims, const std::string& text) {
    if (name.empty()) {
      if (ports.size() != 1)
        throw invalid(fmt::format("{} {}: name the input, as NAME[dims]; the model's inputs are {}",
                                  flag, text, port_names(ports)));
      name = ports[0].name;
    }
    if (!find_port(ports, name))
      throw invalid(fmt::format("{} {}: the model has no input '{}'; its inputs are {}", flag, text,
                                name, port_names(ports)));
    shapes[name] = parse_dim_list(flag, text, dims);
  };
  for (const std::string& text : texts) {
    if (text.find('[') == std::string::npos) {
      size_t eq = text.find('=');
      if (eq == std::string::npos)
        add("", text, text);
      else
        add(text.substr(0, eq), text.substr(eq + 1), text);
      continue;
    }
    size_t pos = 0;
    while (pos < text.size()) {
      size_t open = text.find('[', pos), close = text.find(']', pos);
      if (open == std::string::npos || close == std::string::npos || close < open)
        throw invalid(
            fmt::format("{} {}: expected NAME[dims], e.g. input[1,3,224,224]", flag, text));
      add(text.substr(pos, open - pos), text.substr(open + 1, close - open - 1), text);
      if (close + 1 < text.size() && text[close + 1] == '[')
        throw invalid(
            fmt::format("{} {}: one shape per input; tandem runs a single data shape", flag, text));
      pos = close + 1;
      if (pos < text.size() && text[pos] == ',') ++pos;
    }
  }
  return shapes;
}

// Model::reshape's argument from -shape and -b (which sets every input's first dimension).
std::map<std::string, PartialShape> new_input_shapes(const BenchOptions& options,
                                                     const std::vector<Port>& ports) {
  std::map<std::string, PartialShape> shapes;
  for (const auto& [name, dims] : parse_shapes("-shape", options.shapes, ports)) {
    std::vector<Dimension> partial;
    for (const DimText& d : dims) partial.push_back(d ? Dimension(*d) : Dimension());
    shapes[name] = PartialShape(partial);
  }
  if (options.batch <= 0) return shapes;
  for (const Port& port : ports) {
    if (!port.type.is_tensor()) continue;
    PartialShape shape = shapes.contains(port.name) ? shapes[port.name] : port.type.shape;
    if (!shape.rank_known() || shape.rank() == 0) continue;
    std::vector<Dimension> dims = shape.dims();
    dims[0] = Dimension(options.batch);
    shapes[port.name] = PartialShape(dims);
  }
  return shapes;
}

std::map<std::string, Shape> data_shapes(const BenchOptions& options,
                                         const std::vector<Port>& ports) {
  std::map<std::string, Shape> shapes;
  for (const auto& [name, dims] : parse_shapes("-data_shape", options.data_shapes, ports)) {
    Shape shape;
    for (const DimText& d : dims) {
      if (!d)
        throw invalid(fmt::format("-data_shape: input '{}' needs sizes, not ? or ranges", name));
      shape.push_back(*d);
    }
    shapes[name] = shape;
  }
  return shapes;
}

// ---- What to run: hint, API, requests, pacing ---------------------------------------------------

std::string hint_property(const std::string& hint) {
  if (hint == "latency") return "LATENCY";
  if (hint == "throughput" || hint == "tput") return "THROUGHPUT";
  if (hint == "cumulative_throughput" || hint == "ctput") return "CUMULATIVE_THROUGHPUT";
  return "";
}

// MLPerf's scenarios as defaults of the flags; an explicit flag that contradicts one is an error.
void apply_scenario(const BenchOptions& options, std::string& hint, std::string& api) {
  const std::string& s = options.scenario;
  if (s.empty()) return;
  bool single = s == "singlestream";
  if (single && (api == "async" || options.requests > 1))
    throw invalid(
        "-scenario singlestream runs one request synchronously; drop -api async and -nireq");
  if (!single && api == "sync")
    throw invalid(fmt::format("-scenario {} runs requests asynchronously; drop -api sync", s));
  if (s == "server" && options.qps <= 0)
    throw invalid("-scenario server needs the arrival rate: -qps QUERIES_PER_SECOND");
  if (hint.empty()) hint = single ? "latency" : "throughput";
  if (api.empty()) api = single ? "sync" : "async";
}

Plan make_plan(const BenchOptions& options) {
  std::string hint = options.hint, api = options.api;
  apply_scenario(options, hint, api);
  // benchmark_app: the hint follows the API, and the API the hint.
  if (hint.empty()) hint = api == "sync" ? "latency" : "throughput";
  if (api.empty()) api = hint == "latency" ? "sync" : "async";
  Plan plan;
  plan.hint = hint_property(hint);
  plan.async = api == "async";
  plan.requests = plan.async ? options.requests : 1;
  if (!plan.async && options.requests > 1)
    fmt::print("  note: -api sync runs one request; -nireq {} is ignored\n", options.requests);
  if (options.scenario == "server") {
    plan.pacing = Pacing::Poisson;
    plan.rate = options.qps;
  } else if (options.max_irate > 0) {
    plan.pacing = Pacing::Fixed;
    plan.rate = options.max_irate;
  }
  plan.iterations = std::max<int64_t>(options.iterations, 0);
  plan.seconds = options.seconds;
  if (plan.seconds <= 0 && options.iterations < 0) plan.seconds = kDefaultSeconds;
  return plan;
}

// The properties for compile_model: -load_config, then the flags, then -p KEY=VALUE.
AnyMap load_config(const std::string& path, const std::string& device) {
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in) throw invalid(fmt::format("-load_config {}: cannot open the file", path));
  Json config;
  try {
    config = Json::parse(in);
  } catch (const std::exception& e) {
    throw invalid(fmt::format("-load_config {}: not JSON: {}", path, e.what()));
  }
  AnyMap properties;
  if (!config.is_object() || !config.contains(device)) return properties;
  if (!config[device].is_object())
    throw invalid(
        fmt::format("-load_config {}: \"{}\" must map property names to values", path, device));
  for (const auto& [key, value] : config[device].items())
    properties[key] = value.is_string() ? value.get<std::string>() : value.dump();
  return properties;
}

// -infer_precision f32, or CPU:f32,GPU:f16 as benchmark_app takes it for several devices.
std::string precision_for(const std::string& text, const std::string& device) {
  if (text.find(':') == std::string::npos) return text;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = std::min(text.find(',', begin), text.size());
    std::string item = text.substr(begin, end - begin);
    size_t colon = item.find(':');
    if (colon != std::string::npos && item.substr(0, colon) == device)
      return item.substr(colon + 1);
    begin = end + 1;
  }
  return "";
}

AnyMap compile_properties(const BenchOptions& options, const Plan& plan) {
  AnyMap properties = load_config(options.load_config, options.device);
  if (!plan.hint.empty()) properties[properties::kPerformanceHint] = plan.hint;
  if (options.streams > 0) properties[properties::kNumStreams] = std::to_string(options.streams);
  if (options.threads > 0)
    properties[properties::kInferenceNumThreads] = std::to_string(options.threads);
  if (options.perf_counts) properties[properties::kEnableProfiling] = "YES";
  if (std::string p = precision_for(options.infer_precision, options.device); !p.empty())
    properties[properties::kInferencePrecisionHint] = p;
  for (const std::string& p : options.properties) {
    auto [key, value] = split_assignment(p, "-p");
    properties[key] = value;
  }
  return properties;
}

void dump_config(const std::string& path, const std::string& device, const AnyMap& properties) {
  Json config;
  config[device] = Json::object();
  for (const auto& [key, value] : properties) config[device][key] = value;
  std::ofstream out(path);
  if (!out) throw invalid(fmt::format("-dump_config {}: cannot write the file", path));
  out << config.dump(2) << "\n";
}

// ---- Inputs -------------------------------------------------------------------------------------

std::map<std::string, std::string> input_files(const std::vector<std::string>& texts,
                                               const std::vector<Port>& ports) {
  std::map<std::string, std::string> files;
  for (const std::string& text : texts) {
    size_t sep = text.find_first_of("=:");
    std::string name = sep == std::string::npos ? "" : text.substr(0, sep);
    if (sep != std::string::npos && find_port(ports, name)) {
      files[name] = text.substr(sep + 1);
    } else if (ports.size() == 1) {
      files[ports[0].name] = text;
    } else {
      throw invalid(fmt::format("-i {}: name the input as NAME=FILE; the model's inputs are {}",
                                text, port_names(ports)));
    }
  }
  return files;
}

// ---- The steps ----------------------------------------------------------------------------------

std::string lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

int int_property(const CompiledModel& compiled, const char* name) {
  std::string value = compiled.get_property(name);
  try {
    return std::stoi(value);
  } catch (const std::exception&) {
    throw Error(ErrorKind::Runtime,
                fmt::format("compiled model: {} is '{}', not a number", name, value));
  }
}

Json ports_json(const std::vector<Port>& ports) {
  Json list = Json::array();
  for (const Port& port : ports)
    list.push_back({{"name", port.name}, {"type", to_string(port.type)}});
  return list;
}

void print_ports(const Model& model) {
  for (const Port& port : model.inputs())
    fmt::print("  input  {}: {}\n", port.name, to_string(port.type));
  for (const Port& port : model.outputs())
    fmt::print("  output {}: {}\n", port.name, to_string(port.type));
}

// Static shapes for every device but the CPU: VNPU and NPUs refuse dynamic ones, and HETERO and
// AUTO may place nodes on them. What -shape and -b leave dynamic takes the input's -data_shape,
// else 1 in each dynamic dimension (batch 1), as `tandem run` fixes them from its inputs.
void fix_dynamic_shapes(std::map<std::string, PartialShape>& shapes, const BenchOptions& o,
                        const std::vector<Port>& ports) {
  if (o.device == "CPU") return;
  auto data = data_shapes(o, ports);
  for (const Port& port : ports) {
    if (!port.type.is_tensor()) continue;
    PartialShape before = shapes.contains(port.name) ? shapes[port.name] : port.type.shape;
    if (before.is_static()) continue;
    std::string from = "-data_shape";
    if (auto it = data.find(port.name); it != data.end()) {
      shapes[port.name] = PartialShape(it->second);
    } else {
      if (!before.rank_known())
        throw invalid(
            fmt::format("-d {}: input '{}' has an unknown rank and {} needs static "
                        "shapes; give them with -shape {}[...]",
                        o.device, port.name, o.device, port.name));
      std::vector<Dimension> dims = before.dims();
      for (Dimension& d : dims)
        if (!d.is_static()) d = Dimension(1);
      shapes[port.name] = PartialShape(dims);
      from = "dynamic dimensions at 1; -shape or -data_shape sets them";
    }
    fmt::print("  input '{}': {} -> {} for {}, which needs static shapes ({})\n", port.name,
               to_string(before), to_string(shapes[port.name]), o.device, from);
  }
}

// Step 2: -shape and -b through Model::reshape, then static shapes for an accelerator; the time
// it took, if anything changed.
std::optional<double> reshape(Model& model, const BenchOptions& o) {
  auto shapes = new_input_shapes(o, model.inputs());
  fix_dynamic_shapes(shapes, o, model.inputs());
  if (shapes.empty()) {
    fmt::print("  shapes as declared\n");
    return std::nullopt;
  }
  auto t0 = Clock::now();
  model = model.reshape(shapes);
  double ms = ms_since(t0);
  print_ports(model);
  return ms;
}

Json configuration_json(const BenchOptions& o, const Plan& plan, const CompiledModel& compiled,
                        const AnyMap& requested, int streams) {
  Json limits = {{"duration", plan.seconds > 0 ? quantity(plan.seconds * 1e3, "ms") : Json()},
                 {"iterations",
                  plan.iterations > 0 ? quantity(double(plan.iterations), "iterations") : Json()}};
  return {{"device", compiled.device()},
          {"api", plan.async ? "async" : "sync"},
          {"scenario", o.scenario.empty() ? Json() : Json(o.scenario)},
          {"performance_hint", plan.hint.empty() ? "NONE" : plan.hint},
          {"requests", plan.requests},
          {"streams", streams},
          {"inference_only", o.inference_only},
          {"use_device_mem", o.use_device_mem},
          {"warmup", !o.no_warmup},
          {"seed", o.seed},
          {"limits", limits},
          {"requested_properties", requested},
          {"compiled_properties", compiled.properties()}};
}

// `tensor` copied into the host memory `device` copies from fastest (the GPU's page-locked memory),
// as an application feeding that device would keep its inputs.
Tensor in_host_memory_of(const Core& core, const Tensor& tensor, const std::string& device) {
  Tensor host = core.create_host_tensor(tensor.element_type(), tensor.shape(), device);
  std::memcpy(host.data(), tensor.data(), tensor.byte_size());
  return host;
}

// Step 5: the requests, each with its own seeded random inputs (or the -i files), bound once;
// two sets each with -inference_only false, rebound every iteration. The inputs are in the host
// memory the device the model is compiled for copies from fastest; with -use_device_mem they are
// in that device's own memory instead, and the outputs stay there, so that the timing leaves out
// the copies at the model's boundary (as a benchmark of a framework with its tensors already on
// the GPU does).
std::vector<Slot> make_requests(const CompiledModel& compiled, const BenchOptions& o,
                                const Plan& plan) {
  const std::vector<Port>& ports = compiled.inputs();
  auto files = input_files(o.inputs, ports);
  auto shapes = data_shapes(o, ports);
  const std::string memory = compiled.placement().devices.front();
  Core core;
  Random random(o.seed);
  std::vector<Slot> slots;
  slots.reserve(size_t(plan.requests));
  for (int r = 0; r < plan.requests; ++r) {
    Slot& slot = slots.emplace_back(compiled.create_infer_request());
    for (int s = 0; s < (o.inference_only ? 1 : 2); ++s) {
      InputSet set;
      for (const Port& port : ports) {
        auto it = files.find(port.name);
        Value value = it != files.end() ? load_value(it->second, port.type) : random_value(port, shapes, random);
        if (value.is_tensor() && value.tensor().element_type() != ElementType::String)
          value = Value(o.use_device_mem ? core.copy_tensor(value.tensor(), memory)
                                         : in_host_memory_of(core, value.tensor(), memory));
        set.push_back(std::move(value));
      }
      slot.sets.push_back(std::move(set));
    }
    bind_inputs(slot.request, ports, slot.sets[0]);
    if (o.use_device_mem)
      for (const Port& port : compiled.outputs())
        if (port.type.is_tensor()) slot.request.set_output_device(port.name, memory);
  }
  if (o.use_device_mem)
    fmt::print("  inputs and outputs in {} memory (-use_device_mem)\n", memory);
  for (size_t i = 0; i < ports.size(); ++i) {
    const Port& port = ports[i];
    auto it = files.find(port.name);
    fmt::print("  {}: {} ({})\n", port.name, describe(slots[0].sets[0][i]),
               it != files.end() ? it->second : fmt::format("random, seed {}", o.seed));
    bool guessed = it == files.end() && !shapes.contains(port.name) && port.type.is_tensor() &&
                   !port.type.shape.is_static();
    if (guessed)
      fmt::print("    its dynamic dimensions ({}) are 1 here; -data_shape {}[...] sets them\n",
                 to_string(port.type.shape), port.name);
  }
  return slots;
}

// -b, else the first dimension of the first tensor input of rank 2 or more (NCHW, [N, tokens]).
int batch_of(const BenchOptions& o, const InputSet& inputs) {
  if (o.batch > 0) return o.batch;
  for (const Value& v : inputs) {
    if (!v.is_tensor()) continue;
    if (v.tensor().rank() < 2) return 1;
    return int(std::max<int64_t>(v.tensor().shape()[0], 1));
  }
  return 1;
}

std::string measuring_what(const Plan& plan) {
  Budget budget{plan.seconds, plan.iterations};
  std::string pacing;
  if (plan.pacing == Pacing::Poisson)
    pacing = fmt::format(", Poisson arrivals at {:g}/s", plan.rate);
  if (plan.pacing == Pacing::Fixed) pacing = fmt::format(", at most {:g}/s", plan.rate);
  return fmt::format("Measuring performance ({}, {} request{}{}, limits: {})",
                     plan.async ? "async" : "sync", plan.requests, plan.requests == 1 ? "" : "s",
                     pacing, budget.describe());
}

// Step 6's warm-up: one run through the API being measured; its time is the first inference.
double first_inference(Slot& slot, bool async) {
  auto t0 = Clock::now();
  if (async) {
    slot.request.start_async();
    slot.request.wait();
  } else {
    slot.request.infer();
  }
  return ms_since(t0);
}

void write_json(const Json& report, const std::string& path) {
  if (path.empty()) return;
  std::ofstream out(path);
  if (!out) throw invalid(fmt::format("-json {}: cannot write the file", path));
  out << report.dump(2) << "\n";
  fmt::print("  report written to {}\n", path);
}

BenchOptions normalised(BenchOptions o) {
  o.hint = lower(o.hint);
  o.api = lower(o.api);
  o.scenario = lower(o.scenario);
  if (o.model.empty()) o.model = o.model_flag;
  if (o.model.empty()) throw invalid("bench: give the model file, as MODEL or -m MODEL");
  if (!o.model_flag.empty() && o.model_flag != o.model)
    throw invalid(fmt::format("bench: two models given, '{}' and '{}'", o.model, o.model_flag));
  return o;
}

}  // namespace

std::vector<std::string> with_long_bench_flags(int argc, const char* const* argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() < 2 || args[1] != "bench") return args;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool long_name = a.size() > 2 && a[0] == '-' &&
                     std::isalpha(static_cast<unsigned char>(a[1])) &&
                     (std::isalnum(static_cast<unsigned char>(a[2])) || a[2] == '_');
    if (long_name) args[i] = "-" + a;
  }
  return args;
}

void add_bench_command(CLI::App& app, BenchOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Measure latency and throughput with benchmark_app's flags (one dash works too: -niter, "
      "-hint, -nireq, ...); see docs/benchmark_app.md");
  cmd->add_option("model", o.model, "ONNX model file");
  cmd->add_option("-m,--path_to_model", o.model_flag, "ONNX model file, as benchmark_app takes it");
  cmd->add_option("-d,--device,--target_device", o.device, "Device (CPU, VNPU, GPU, AUTO, ...)")
      ->capture_default_str();
  cmd->add_option("--hint,--perf_hint", o.hint,
                  "Performance hint: latency, throughput, cumulative_throughput or none; default "
                  "latency with -api sync, else throughput")
      ->check(
          CLI::IsMember({"latency", "throughput", "tput", "cumulative_throughput", "ctput", "none"},
                        CLI::ignore_case));
  cmd->add_option("--api,--api_type", o.api, "sync or async; default sync for -hint latency")
      ->check(CLI::IsMember({"sync", "async"}, CLI::ignore_case));
  cmd->add_option("-t,--time", o.seconds, "Seconds to run (default 10 unless -niter is given)");
  cmd->add_option("--niter,--number_iterations", o.iterations,
                  "Iterations to run (with -t: until both are reached); 0 compiles and exits");
  cmd->add_option("--nireq,--number_infer_requests", o.requests,
                  "Requests in flight with -api async (default OPTIMAL_NUMBER_OF_INFER_REQUESTS)");
  cmd->add_option("--nstreams,--number_streams", o.streams, "NUM_STREAMS");
  cmd->add_option("--nthreads,--number_threads", o.threads, "INFERENCE_NUM_THREADS");
  cmd->add_option("-b,--batch_size", o.batch, "Batch size: every input's first dimension")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--shape", o.shapes,
                  "Model input shapes before compiling: input[1,3,224,224],mask[1,128] or "
                  "input=1,3,224,224; ? or -1 for a dynamic dimension")
      ->allow_extra_args(false);
  cmd->add_option("--data_shape", o.data_shapes,
                  "Shapes of random inputs with dynamic dimensions (default: those at 1)")
      ->allow_extra_args(false);
  cmd->add_option("-i,--input,--paths_to_input", o.inputs,
                  "Input from a file: NAME=FILE or NAME:FILE (.npy or .pb), or FILE for a model "
                  "with one input; the rest are random")
      ->allow_extra_args(false);
  cmd->add_option("-p,--property", o.properties, "Compile property KEY=VALUE (overrides the flags)")
      ->allow_extra_args(false);
  cmd->add_option("--infer_precision", o.infer_precision,
                  "INFERENCE_PRECISION_HINT, e.g. f32 (or CPU:f32,GPU:f16)");
  cmd->add_flag("--pc,--perf_counts", o.perf_counts,
                "Per-node counters table (ENABLE_PROFILING), summed over iterations");
  cmd->add_option("--pcsort,--perf_counts_sort", o.pc_sort,
                  "Counter order: sort (by time), no_sort or simple_sort (execution order)")
      ->check(CLI::IsMember({"sort", "no_sort", "simple_sort"}));
  cmd->add_option("--json", o.json_path,
                  "Write the full report as JSON (docs/bench_report.schema.json)");
  cmd->add_option("--scenario", o.scenario,
                  "MLPerf scenario: singlestream, multistream, server, offline")
      ->check(
          CLI::IsMember({"singlestream", "multistream", "server", "offline"}, CLI::ignore_case));
  cmd->add_option("--qps", o.qps, "Server scenario: Poisson arrivals per second");
  cmd->add_option("--latency_bound_ms", o.latency_bound_ms,
                  "Server scenario: the p99 latency bound to meet");
  cmd->add_option("--latency_percentile", o.latency_percentile,
                  "Also report this latency percentile (1 to 100)")
      ->check(CLI::Range(1.0, 100.0));
  cmd->add_option("--max_irate,--maximum_inference_rate", o.max_irate,
                  "Start at most this many inferences per second");
  cmd->add_flag("--no_warmup", o.no_warmup, "Skip the first (warm-up) inference");
  cmd->add_option("--inference_only", o.inference_only,
                  "true: bind inputs once; false: rebind them every iteration, inside the timing")
      ->capture_default_str();
  cmd->add_flag("--use_device_mem", o.use_device_mem,
                "Inputs and outputs in the memory of the device compiled for: no copies at the model's boundary");
  cmd->add_option("--load_config", o.load_config,
                  "Properties from JSON: {\"CPU\": {\"NUM_STREAMS\": \"2\"}}; flags override");
  cmd->add_option("--dump_config", o.dump_config,
                  "Write the properties passed to compile_model as JSON");
  cmd->add_option("--seed", o.seed, "Seed for random inputs and server arrivals")
      ->capture_default_str();
}

int run_bench(const BenchOptions& options) {
  BenchOptions o = normalised(options);
  Plan plan = make_plan(o);
  Core core;
  Json report = {{"schema_version", 2}, {"tool", "tandem bench"}};

  step(1, "Reading model");
  auto t0 = Clock::now();
  Model model = core.read_model(o.model);
  double read_ms = ms_since(t0);
  fmt::print("  {}: {} nodes, read in {:.2f} ms\n", o.model, model.node_count(), read_ms);
  print_ports(model);

  step(2, "Reshaping model");
  std::optional<double> reshape_ms = reshape(model, o);

  step(3, fmt::format("Compiling model for {}", o.device));
  AnyMap requested = compile_properties(o, plan);
  for (const auto& [key, value] : requested) fmt::print("  {} = {}\n", key, value);
  if (!o.dump_config.empty()) dump_config(o.dump_config, o.device, requested);
  double peak_before_kib = peak_memory_kib();
  t0 = Clock::now();
  const size_t nodes = model.node_count();
  // Handed over: the weights the device packs are then held once, not twice.
  CompiledModel compiled = core.compile_model(std::move(model), o.device, requested);
  double compile_ms = ms_since(t0);
  double peak_after_kib = peak_memory_kib();
  fmt::print(
      "  compiled in {:.2f} ms; peak memory {:.0f} KiB before, {:.0f} KiB after ({:.0f} KiB "
      "more)\n",
      compile_ms, peak_before_kib, peak_after_kib, peak_after_kib - peak_before_kib);
  fmt::print("  placement: {}\n", compiled.placement().summary());

  step(4, "Querying runtime parameters");
  for (const auto& [key, value] : compiled.properties()) fmt::print("  {}: {}\n", key, value);
  int streams = int_property(compiled, properties::kNumStreams);
  if (plan.requests <= 0)
    plan.requests = std::max(1, int_property(compiled, properties::kOptimalNumberOfInferRequests));
  fmt::print("  {} API, {} infer request{}\n", plan.async ? "async" : "sync", plan.requests,
             plan.requests == 1 ? "" : "s");
  report["model"] = {{"path", o.model},
                     {"nodes", quantity(double(nodes), "nodes")},
                     {"inputs", ports_json(compiled.inputs())},
                     {"outputs", ports_json(compiled.outputs())}};
  report["configuration"] = configuration_json(o, plan, compiled, requested, streams);
  report["timings"] = {{"read_model", quantity(read_ms, "ms")},
                       {"reshape_model", reshape_ms ? quantity(*reshape_ms, "ms") : Json()},
                       {"compile_model", quantity(compile_ms, "ms")},
                       {"first_inference", nullptr}};
  report["memory"] = {{"peak_before_compile", quantity(peak_before_kib, "KiB")},
                      {"peak_after_compile", quantity(peak_after_kib, "KiB")},
                      {"compile_peak_increase", quantity(peak_after_kib - peak_before_kib, "KiB")}};
  report["execution"] = nullptr;
  report["scenario"] = nullptr;
  report["performance_counters"] = nullptr;
  if (o.iterations == 0) {
    fmt::print("  -niter 0: compiled; nothing to run\n");
    write_json(report, o.json_path);
    return 0;
  }

  step(5, "Creating infer requests and filling inputs");
  std::vector<Slot> slots = make_requests(compiled, o, plan);
  int batch = batch_of(o, slots[0].sets[0]);
  report["model"]["batch"] = batch;

  step(6, measuring_what(plan));
  if (!o.no_warmup) {
    double ms = first_inference(slots[0], plan.async);
    report["timings"]["first_inference"] = quantity(ms, "ms");
    fmt::print("  first inference took {:.2f} ms\n", ms);
  }
  Collector collector(o.perf_counts);
  CpuTimes cpu_before = CpuTimes::now();
  auto busy_before = compiled.device_busy_time();
  auto launches_before = compiled.device_launches();
  Runner runner(slots, compiled.inputs(), plan, collector, o.seed);
  Clock::time_point start = runner.run();
  auto busy = busy_between(busy_before, compiled.device_busy_time());
  auto launches = launches_between(launches_before, compiled.device_launches());
  Measurement m{collector, plan, start, cpu_before, CpuTimes::now(), batch, o.latency_percentile, busy,
                launches, o.use_device_mem};

  step(7, "Report");
  report["execution"] = execution_json(m, compiled);
  if (!o.scenario.empty()) report["scenario"] = scenario_json(o.scenario, m, o.latency_bound_ms);
  if (o.perf_counts) {
    report["performance_counters"] =
        counters_json(collector.counters(), o.pc_sort, collector.completed());
    print_counters(report["performance_counters"]);
  }
  print_summary(report);
  write_json(report, o.json_path);
  return 0;
}

}  // namespace tandem::cli
