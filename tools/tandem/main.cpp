// tandem: the command line over the public API (info, run, bench, compile, devices).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "tandem/tandem.h"

namespace tandem::cli {

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidModel: return 2;
    case ErrorKind::Unsupported: return 3;
    case ErrorKind::InvalidArgument: return 4;
    case ErrorKind::DeviceUnavailable: return 5;
    case ErrorKind::Runtime: return 6;
  }
  return kExitOther;
}

namespace {

// Scripts read the first line of stderr: keep a message on exactly one line.
void print_error(const std::string& message) {
  std::string line = message;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  std::cout.flush();
  std::cerr << "tandem: error: " << line << std::endl;
}

}  // namespace
}  // namespace tandem::cli

int main(int argc, char** argv) {
  using namespace tandem::cli;
  CLI::App app{"tandem: read an ONNX model, compile it on the CPU, run it on the best device"};
  app.name("tandem");
  app.require_subcommand(1);
  InfoOptions info;
  RunOptions run;
  BenchOptions bench;
  DevicesOptions devices;
  CompileOptions compile;
  add_info_command(app, info);
  add_run_command(app, run);
  add_bench_command(app, bench);
  add_compile_command(app, compile);
  add_devices_command(app, devices);
  std::vector<std::string> args = with_long_bench_flags(argc, argv);
  std::vector<const char*> arg_pointers;
  for (const std::string& arg : args) arg_pointers.push_back(arg.c_str());
  try {
    app.parse(int(arg_pointers.size()), arg_pointers.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (app.got_subcommand("info")) return run_info(info);
    if (app.got_subcommand("run")) return run_run(run);
    if (app.got_subcommand("bench")) return run_bench(bench);
    if (app.got_subcommand("compile")) return run_compile(compile);
    if (app.got_subcommand("devices")) return run_devices(devices);
  } catch (const tandem::Error& e) {
    print_error(e.what());
    return exit_code(e.kind());
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitOther;
  }
  return kExitOther;
}
