// tandem run: read a model, compile it for a device, run it once on given or random inputs,
// and show what came out, where it ran and how long each step took.
#include "commands.h"
#include "inputs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace tandem::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool is_numeric(ElementType type) {
  return type != ElementType::String && type != ElementType::Undefined;
}

std::vector<double> as_doubles(const Tensor& tensor) {
  if (tensor.element_type() == ElementType::Bool) {
    auto ints = tensor.to_int64();
    return {ints.begin(), ints.end()};
  }
  return tensor.to_double();
}

void print_statistics(const Tensor& tensor, int top_k) {
  if (!is_numeric(tensor.element_type()) || tensor.size() == 0) return;
  std::vector<double> values = as_doubles(tensor);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
  int64_t non_finite = 0;
  for (double v : values) {
    if (!std::isfinite(v)) {
      ++non_finite;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  int64_t finite = int64_t(values.size()) - non_finite;
  if (finite > 0)
    fmt::print("    min {:.6g}  max {:.6g}  mean {:.6g}\n", lo, hi, sum / double(finite));
  if (non_finite > 0) fmt::print("    non-finite values: {} of {}\n", non_finite, values.size());

  // A score vector ([N] or [1,N]): show the best classes.
  const Shape& shape = tensor.shape();
  bool scores = is_floating_type(tensor.element_type()) && values.size() > 1 &&
                (shape.size() == 1 || (shape.size() == 2 && shape[0] == 1));
  if (!scores || top_k <= 0) return;
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  size_t k = std::min(order.size(), size_t(top_k));
  // NaN sorts last, so a broken output does not crowd out the real scores.
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](size_t a, size_t b) {
    if (std::isnan(values[a]) != std::isnan(values[b])) return std::isnan(values[b]);
    return values[a] > values[b];
  });
  fmt::print("    top-{}:", k);
  for (size_t i = 0; i < k; ++i)
    fmt::print(" {} ({:.6g}){}", order[i], values[order[i]], i + 1 < k ? "," : "");
  fmt::print("\n");
}

void print_value(const Port& port, const Value& value, int top_k) {
  if (value.is_none()) {
    fmt::print("  {}: none (an empty optional)\n", port.name);
    return;
  }
  if (value.is_tensor()) {
    fmt::print("  {}: {}\n", port.name, describe(value.tensor()));
    print_statistics(value.tensor(), top_k);
    return;
  }
  if (value.is_map() || value.is_map_sequence()) {
    fmt::print("  {}: {}\n", port.name, describe(value));
    return;
  }
  fmt::print("  {}: sequence of {} {} tensors\n", port.name, value.items().size(),
             to_string(value.sequence_element_type()));
  for (size_t i = 0; i < value.items().size(); ++i) {
    fmt::print("   [{}] {}\n", i, describe(value.items()[i]));
    print_statistics(value.items()[i], 0);
  }
}

// File names come from tensor names, which may hold '/' or ':' (e.g. "resnet/conv1:0").
std::string file_stem(const std::string& name) {
  std::string stem = name.empty() ? "output" : name;
  for (char& c : stem)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  if (stem == "." || stem == "..") stem = "output";
  return stem;
}

std::string save_output(const std::string& dir, const Port& port, const Value& value) {
  namespace fs = std::filesystem;
  std::string stem = (fs::path(dir) / file_stem(port.name)).string();
  if (value.is_tensor() && port.type.kind != ValueType::Kind::Optional) {
    save_npy(stem + ".npy", value.tensor());
    return stem + ".npy";
  }
  save_pb(stem + ".pb", value, port.type.kind == ValueType::Kind::Optional, port.name);
  return stem + ".pb";
}

}  // namespace

std::pair<std::string, std::string> split_assignment(const std::string& text, const char* what) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{} '{}': expected NAME=VALUE", what, text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

void add_run_command(CLI::App& app, RunOptions& options) {
  CLI::App* cmd = app.add_subcommand("run", "Compile a model for a device and run it once");
  cmd->add_option("model", options.model, "ONNX model file, or a blob from tandem compile")->required();
  cmd->add_option("-d,--device", options.device,
                  "Device to compile for (CPU, VNPU, GPU, AUTO, ...)")
      ->capture_default_str();
  cmd->add_option("-i,--input", options.inputs,
                  "Input from a file: NAME=FILE (.npy or .pb), or FILE when the model has one "
                  "input; inputs not given are random")
      ->allow_extra_args(false);
  cmd->add_option("-s,--shape", options.shapes,
                  "Shape of a random input: NAME=1,3,224,224 (dynamic dimensions are 1 otherwise)")
      ->allow_extra_args(false);
  cmd->add_option("-p,--property", options.properties,
                  "Compile property KEY=VALUE, e.g. PERFORMANCE_HINT=LATENCY")
      ->allow_extra_args(false);
  cmd->add_option("-o,--output-dir", options.output_dir,
                  "Write each output to DIR/<name>.npy (.pb for sequences and optionals)");
  cmd->add_option("--seed", options.seed, "Seed for random inputs")->capture_default_str();
  cmd->add_option("--top", options.top_k, "How many top scores to show for a score vector")
      ->capture_default_str();
}

int run_run(const RunOptions& options) {
  Core core;
  AnyMap properties;
  for (const std::string& p : options.properties) {
    auto [key, value] = split_assignment(p, "--property");
    properties[key] = value;
  }

  // A blob (tandem compile) is imported instead: compiled already, for the device it names.
  const bool blob = is_compiled_model_file(options.model);
  auto start = Clock::now();
  std::optional<Model> model;
  std::optional<CompiledModel> imported;
  if (blob)
    imported = import_model_file(core, options.model, properties);
  else
    model = core.read_model(options.model);
  double read_ms = ms_since(start);
  // A copy: reshaping below replaces the model these ports belong to.
  const std::vector<Port> inputs = blob ? imported->inputs() : model->inputs();

  // Files first (NAME=FILE, or FILE alone for a one-input model), then random for the rest.
  std::map<std::string, std::string> files;
  for (const std::string& text : options.inputs) {
    size_t eq = text.find('=');
    std::string name = eq == std::string::npos ? "" : text.substr(0, eq);
    if (eq != std::string::npos && find_port(inputs, name)) {
      files[name] = text.substr(eq + 1);
    } else if (inputs.size() == 1 && (eq == std::string::npos || !find_port(inputs, name))) {
      if (eq != std::string::npos && !std::filesystem::exists(text))
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("--input {}: the model has no input '{}'; its input is '{}'", text,
                                name, inputs[0].name));
      files[inputs[0].name] = text;
    } else {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("--input {}: name the input as NAME=FILE; the model's inputs are {}",
                              text, port_names(inputs)));
    }
  }
  const std::map<std::string, Shape> shapes = parse_shapes(options.shapes, inputs);

  Random random(options.seed);
  std::vector<std::pair<Value, std::string>> values;  // per input: the value and where it came from
  for (const Port& port : inputs) {
    if (auto it = files.find(port.name); it != files.end()) {
      values.emplace_back(load_value(it->second), it->second);
    } else {
      values.emplace_back(random_value(port, shapes, random), fmt::format("random, seed {}", options.seed));
    }
    if (port.type.is_tensor() && !values.back().first.is_tensor())
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("input '{}' is a tensor, but {} holds a sequence or an optional", port.name,
                              values.back().second));
  }
  // Accelerators want static shapes: the inputs at hand fix the model's dynamic dimensions.
  if (!blob && options.device != "CPU") {
    std::map<std::string, PartialShape> fixed;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (inputs[i].type.is_tensor() && !inputs[i].type.shape.is_static())
        fixed[inputs[i].name] = PartialShape(values[i].first.tensor().shape());
    if (!fixed.empty()) {
      model = model->reshape(fixed);
      for (const auto& [name, shape] : fixed)
        fmt::print("reshaped input '{}' to {} for {}, which needs static shapes\n", name, to_string(shape),
                   options.device);
    }
  }

  start = Clock::now();
  CompiledModel compiled = blob ? *imported : core.compile_model(*model, options.device, properties);
  double compile_ms = ms_since(start);
  InferRequest request = compiled.create_infer_request();

  fmt::print("model   {}\n", options.model);
  fmt::print("inputs\n");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Port& port = inputs[i];
    const auto& [value, source] = values[i];
    if (port.type.is_tensor())
      request.set_tensor(port.name, value.tensor());
    else
      request.set_value(port.name, value);
    fmt::print("  {}: {} ({})\n", port.name, describe(value), source);
  }

  start = Clock::now();
  request.infer();
  double infer_ms = ms_since(start);

  if (!options.output_dir.empty()) std::filesystem::create_directories(options.output_dir);
  fmt::print("outputs\n");
  for (const Port& port : compiled.outputs()) {
    Value value = port.type.is_tensor() ? Value(request.get_tensor(port.name))
                                        : request.get_value(port.name);
    print_value(port, value, options.top_k);
    if (!options.output_dir.empty())
      fmt::print("    written to {}\n", save_output(options.output_dir, port, value));
  }
  fmt::print("device  {}\n", compiled.device());
  fmt::print("placement  {}\n", compiled.placement().summary());
  if (blob)
    fmt::print("time    import {:.1f} ms, infer {:.1f} ms\n", read_ms, infer_ms);
  else
    fmt::print("time    read {:.1f} ms, compile {:.1f} ms, infer {:.1f} ms\n", read_ms, compile_ms,
               infer_ms);
  return 0;
}

}  // namespace tandem::cli
