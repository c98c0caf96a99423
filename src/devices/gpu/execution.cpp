// The GPU's execution as the device reaches it: the CUDA plugin (execution_api.h), found and
// loaded at first use, and the placement judges (support/), which need no CUDA.
#include "devices/gpu/execution.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <system_error>
#include <vector>

#include "devices/gpu/execution_api.h"
#include "devices/gpu/support/op_support.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

constexpr const char* kPluginName = "libtandem_gpu_cuda.so";
constexpr const char* kNotBuilt =
    "this tandem was built without CUDA: install the CUDA toolkit with cuBLAS and cuDNN and build "
    "again (CMake finds them; TANDEM_WITH_CUDA=ON)";

// Where the plugin may be: named by TANDEM_GPU_PLUGIN; beside the running program or in the lib/
// folder next to its own (a bundle's bin/ and lib/); where this build wrote it.
std::vector<std::filesystem::path> plugin_candidates() {
  std::vector<std::filesystem::path> candidates;
  if (const char* named = std::getenv("TANDEM_GPU_PLUGIN"); named && *named) candidates.emplace_back(named);
  std::error_code error;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back(program.parent_path() / kPluginName);
    candidates.push_back(program.parent_path().parent_path() / "lib" / kPluginName);
  }
#ifdef TANDEM_GPU_PLUGIN_DIR
  candidates.push_back(std::filesystem::path(TANDEM_GPU_PLUGIN_DIR) / kPluginName);
#endif
  return candidates;
}

// Looked for once: placement asks for every node.
const std::optional<std::filesystem::path>& find_plugin() {
  static const std::optional<std::filesystem::path> found = []() -> std::optional<std::filesystem::path> {
    for (const std::filesystem::path& candidate : plugin_candidates()) {
      std::error_code error;
      if (std::filesystem::is_regular_file(candidate, error)) return candidate;
    }
    return std::nullopt;
  }();
  return found;
}

struct Loaded {
  const ExecutionApi* api = nullptr;
  std::string error;  // why api is null
};

// Loaded once and kept: its executables' code lives in it.
const Loaded& plugin() {
  static const Loaded loaded = [] {
    Loaded l;
    const std::optional<std::filesystem::path>& path = find_plugin();
    if (!path) {
      l.error = kNotBuilt;
      return l;
    }
    void* handle = dlopen(path->c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      l.error = fmt::format("{} does not load: {}; put CUDA's libraries (cuBLAS, cuDNN, the CUDA runtime) "
                            "where the dynamic loader finds them (ldconfig, or LD_LIBRARY_PATH)",
                            path->string(), why ? why : "unknown error");
      return l;
    }
    const auto entry = reinterpret_cast<ExecutionApiEntry>(dlsym(handle, kExecutionApiSymbol));
    const ExecutionApi* api = entry ? entry() : nullptr;
    if (!api || api->version != kExecutionApiVersion) {
      l.error = fmt::format("{} is not this tandem's GPU plugin (no {} of version {}): rebuild tandem",
                            path->string(), kExecutionApiSymbol, kExecutionApiVersion);
      return l;
    }
    l.api = api;
    return l;
  }();
  return loaded;
}

const ExecutionApi& api() {
  const Loaded& loaded = plugin();
  if (!loaded.api) throw Error(ErrorKind::Unsupported, "GPU: " + loaded.error);
  return *loaded.api;
}

}  // namespace

std::optional<std::string> execution_missing(bool load) {
  if (!load) {
    if (find_plugin()) return std::nullopt;
    return std::string(kNotBuilt);
  }
  const Loaded& loaded = plugin();
  if (loaded.api) return std::nullopt;
  return loaded.error;
}

devices::Support supports_node(const execution::NodeInfo& node) {
  if (!find_plugin()) return {false, kNotBuilt};
  return gpu_support(node);
}

std::unique_ptr<devices::Executable> compile_for_gpu(std::shared_ptr<const ir::Model> subgraph,
                                                     const devices::CompileOptions& options) {
  return api().compile(std::move(subgraph), options);
}
std::string save_for_gpu(const devices::Executable& executable) { return api().save(executable); }
std::unique_ptr<devices::Executable> load_for_gpu(std::string_view payload, const devices::CompileOptions& options) {
  return api().load(payload, options);
}
Value copy_to_gpu(const Value& host) { return api().copy_to_device(host); }
Value copy_from_gpu(const Value& on_device, const ValueType& type) { return api().copy_to_host(on_device, type); }
Tensor gpu_host_tensor(ElementType type, const Shape& shape) { return api().host_tensor(type, shape); }

}  // namespace tandem::gpu
