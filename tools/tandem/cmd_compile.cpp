// tandem compile: compile a model for a device ahead of time and write the blob that `tandem run`
// and `tandem bench` take in the model's place (Core::import_model reads it, compiling nothing).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "commands.h"
#include "inputs.h"

namespace tandem::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

bool is_compiled_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string start(kCompiledModelMagic.size(), '\0');
  return in.read(start.data(), std::streamsize(start.size())) && start == kCompiledModelMagic;
}

CompiledModel import_model_file(const Core& core, const std::string& path,
                                const AnyMap& properties) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::InvalidArgument, fmt::format("{}: cannot open the blob", path));
  try {
    return core.import_model(in, properties);
  } catch (const Error& e) {
    throw Error(e.kind(), fmt::format("{}: {}", path, e.what()));
  }
}

void add_compile_command(CLI::App& app, CompileOptions& options) {
  CLI::App* cmd = app.add_subcommand(
      "compile", "Compile a model for a device and write the compiled model (a blob) to a file");
  cmd->add_option("model", options.model, "ONNX model file")->required();
  cmd->add_option("-d,--device", options.device,
                  "Device to compile for (CPU, VNPU, HETERO:VNPU,CPU, AUTO, ...)")
      ->capture_default_str();
  cmd->add_option("-o,--output", options.output, "The blob to write, e.g. model.blob")->required();
  cmd->add_option(
         "-s,--shape", options.shapes,
         "Fix an input's shape before compiling: NAME=1,3,224,224 (devices that need static "
         "shapes need every dynamic dimension fixed)")
      ->allow_extra_args(false);
  cmd->add_option("-p,--property", options.properties, "Compile property KEY=VALUE")
      ->allow_extra_args(false);
}

int run_compile(const CompileOptions& options) {
  Core core;
  AnyMap properties;
  for (const std::string& p : options.properties) {
    auto [key, value] = split_assignment(p, "--property");
    properties[key] = value;
  }
  auto start = Clock::now();
  Model model = core.read_model(options.model);
  const double read_ms = ms_since(start);
  std::map<std::string, PartialShape> shapes;
  for (const auto& [name, shape] : parse_shapes(options.shapes, model.inputs()))
    shapes[name] = PartialShape(shape);
  if (!shapes.empty()) model = model.reshape(shapes);

  start = Clock::now();
  CompiledModel compiled = core.compile_model(model, options.device, properties);
  const double compile_ms = ms_since(start);

  start = Clock::now();
  {
    std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
    if (!out)
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("--output {}: cannot open for writing", options.output));
    compiled.export_model(out);
  }
  const double export_ms = ms_since(start);
  const auto bytes = std::filesystem::file_size(options.output);
  fmt::print("model      {}\n", options.model);
  fmt::print("device     {}\n", compiled.device());
  fmt::print("placement  {}\n", compiled.placement().summary());
  fmt::print("blob       {} ({:.1f} MiB)\n", options.output, double(bytes) / (1 << 20));
  fmt::print("time       read {:.1f} ms, compile {:.1f} ms, export {:.1f} ms\n", read_ms,
             compile_ms, export_ms);
  return 0;
}

}  // namespace tandem::cli
