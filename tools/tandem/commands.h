// The tandem command's subcommands and the few helpers they share.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tandem/tandem.h"

namespace CLI {
class App;
}

namespace tandem::cli {

/// Process exit codes: one per error kind, so scripts can tell a bad model from a bad device.
inline constexpr int kExitOther = 1;
int exit_code(ErrorKind kind);

struct InfoOptions {
  std::string model;
  std::string device;                // show the placement a compile for it produces
  std::vector<std::string> shapes;   // NAME=1,3,224,224: reshape first (static-only devices)
  std::string dot_path;              // write the placement as Graphviz DOT
};

struct RunOptions {
  std::string model;
  std::string device = "CPU";
  std::vector<std::string> inputs;      // NAME=FILE, or FILE for a model with one input
  std::vector<std::string> shapes;      // NAME=1,3,224,224 for dynamic dimensions
  std::vector<std::string> properties;  // KEY=VALUE, passed to compile_model
  std::string output_dir;
  uint64_t seed = 1;
  int top_k = 5;
};

/// `tandem bench`: benchmark_app's flags (docs/benchmark_app.md); 0, -1 and "" mean not given.
struct BenchOptions {
  std::string model;
  std::string model_flag;                // -m MODEL, as benchmark_app takes it
  std::string device = "CPU";
  std::string hint;                      // latency, throughput, cumulative_throughput, none
  std::string api;                       // sync, async
  std::string scenario;                  // singlestream, multistream, server, offline
  double seconds = 0;                    // -t
  int64_t iterations = -1;               // -niter; 0 compiles and exits
  int requests = 0;                      // -nireq
  int streams = 0;                       // -nstreams
  int threads = 0;                       // -nthreads
  int batch = 0;                         // -b: every input's first dimension
  std::vector<std::string> shapes;       // -shape: new model input shapes, before compiling
  std::vector<std::string> data_shapes;  // -data_shape: shapes of random inputs with dynamic dims
  std::vector<std::string> inputs;       // -i NAME=FILE
  std::vector<std::string> properties;   // -p KEY=VALUE
  std::string infer_precision;
  bool perf_counts = false;              // -pc
  std::string pc_sort = "sort";          // -pcsort sort|no_sort|simple_sort
  std::string json_path;
  double qps = 0;                        // -qps: server scenario arrival rate
  double latency_bound_ms = 0;
  double latency_percentile = 50;
  double max_irate = 0;
  bool no_warmup = false;
  bool inference_only = true;
  bool use_device_mem = false;           // inputs and outputs in the device's memory
  std::string load_config;
  std::string dump_config;
  uint64_t seed = 1;
};

/// `tandem compile`: a model compiled ahead of time, written as a blob (CompiledModel::export_model).
struct CompileOptions {
  std::string model;
  std::string device = "CPU";
  std::string output;
  std::vector<std::string> shapes;      // NAME=1,3,224,224, applied with Model::reshape
  std::vector<std::string> properties;  // KEY=VALUE, passed to compile_model
};

struct DevicesOptions {
  std::vector<std::string> names;  // devices to show; every device built in if empty
  bool diagnose = false;           // every check of each device, with the fix for a failed one
};

/// benchmark_app spells its flags with one dash (-niter, -hint); CLI11 reads those as bundles of
/// one-letter flags. Returns argv with such flags of `tandem bench` turned into --niter, --hint.
std::vector<std::string> with_long_bench_flags(int argc, const char* const* argv);

void add_info_command(CLI::App& app, InfoOptions& options);
void add_run_command(CLI::App& app, RunOptions& options);
void add_devices_command(CLI::App& app, DevicesOptions& options);
void add_bench_command(CLI::App& app, BenchOptions& options);
void add_compile_command(CLI::App& app, CompileOptions& options);

int run_info(const InfoOptions& options);
int run_run(const RunOptions& options);
int run_devices(const DevicesOptions& options);
int run_bench(const BenchOptions& options);
int run_compile(const CompileOptions& options);

/// Whether the file starts as a compiled-model blob does (kCompiledModelMagic), so `run` and
/// `bench` take a blob where a model is expected.
bool is_compiled_model_file(const std::string& path);
/// Core::import_model of the file, its errors prefixed with the path.
CompiledModel import_model_file(const Core& core, const std::string& path, const AnyMap& properties);

/// Splits "KEY=VALUE" at the first '='; throws InvalidArgument naming what (e.g. "--input").
std::pair<std::string, std::string> split_assignment(const std::string& text, const char* what);

}  // namespace tandem::cli
