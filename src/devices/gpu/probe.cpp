// The NVIDIA probe: the driver API's few entry points, declared here with the types of cuda.h
// (CUresult and CUdevice are ints), so that tandem builds and starts without CUDA.
#include "devices/gpu/probe.h"

#include <dlfcn.h>
#include <link.h>

#include <array>
#include <filesystem>
#include <type_traits>

namespace tandem::gpu {
namespace {

using CuResult = int;
using CuDevice = int;
constexpr CuResult kCudaSuccess = 0;

struct DriverApi {
  CuResult (*init)(unsigned flags) = nullptr;
  CuResult (*driver_get_version)(int* version) = nullptr;
  CuResult (*device_get_count)(int* count) = nullptr;
  CuResult (*device_get)(CuDevice* device, int ordinal) = nullptr;
  CuResult (*device_get_name)(char* name, int length, CuDevice device) = nullptr;
  CuResult (*device_total_mem)(size_t* bytes, CuDevice device) = nullptr;
  CuResult (*get_error_name)(CuResult error, const char** name) = nullptr;
};

// The file behind the symlinks, whose name carries the full version (libcudart.so.13.0.88).
std::string loaded_path(void* handle, const std::string& name) {
  link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map || !map->l_name[0]) return name;
  std::error_code error;
  const std::filesystem::path file = std::filesystem::canonical(map->l_name, error);
  return error ? std::string(map->l_name) : file.string();
}

std::string loader_error(const std::string& name) {
  const char* error = dlerror();
  return error ? error : name + ": not found";
}

// Resolves every entry point, naming the first one missing (a driver older than CUDA 4 lacks the
// _v2 names).
bool resolve(void* handle, DriverApi& api, std::string& missing) {
  auto bind = [&](auto& function, const char* symbol) {
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(handle, symbol));
    if (!function && missing.empty()) missing = symbol;
  };
  bind(api.init, "cuInit");
  bind(api.driver_get_version, "cuDriverGetVersion");
  bind(api.device_get_count, "cuDeviceGetCount");
  bind(api.device_get, "cuDeviceGet");
  bind(api.device_get_name, "cuDeviceGetName");
  bind(api.device_total_mem, "cuDeviceTotalMem_v2");
  bind(api.get_error_name, "cuGetErrorName");
  return missing.empty();
}

std::string error_name(const DriverApi& api, CuResult result) {
  const char* name = nullptr;
  if (api.get_error_name && api.get_error_name(result, &name) == kCudaSuccess && name) return name;
  return "CUresult " + std::to_string(result);
}

void probe_driver(const std::string& library, GpuProbe& probe) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    probe.driver_detail = loader_error(library);
    return;
  }
  probe.driver_loaded = true;
  probe.driver_detail = loaded_path(handle, library);
  DriverApi api;
  std::string missing;
  if (!resolve(handle, api, missing)) {
    probe.driver_error = "it has no " + missing;
    return;
  }
  if (CuResult r = api.driver_get_version(&probe.driver_version); r != kCudaSuccess) {
    probe.driver_error = "cuDriverGetVersion failed: " + error_name(api, r);
    return;
  }
  probe.init_called = true;
  probe.init_result = api.init(0);
  if (probe.init_result != kCudaSuccess) {
    probe.init_error_name = error_name(api, probe.init_result);
    return;
  }
  if (api.device_get_count(&probe.device_count) != kCudaSuccess || probe.device_count == 0) return;
  CuDevice device = 0;
  if (api.device_get(&device, 0) != kCudaSuccess) return;
  std::array<char, 256> name{};
  if (api.device_get_name(name.data(), int(name.size()), device) == kCudaSuccess)
    probe.device_name = name.data();
  api.device_total_mem(&probe.device_memory, device);
}

void probe_runtime(const std::vector<std::string>& names, GpuProbe& probe) {
  std::string errors;
  for (const std::string& name : names) {
    if (void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      probe.runtime_loaded = true;
      probe.runtime_detail = loaded_path(handle, name);
      dlclose(handle);  // nothing in it was called: no state to keep
      return;
    }
    errors += (errors.empty() ? "" : "; ") + loader_error(name);
  }
  probe.runtime_detail = errors;
}

}  // namespace

GpuProbe probe_gpu(const GpuLibraries& libraries) {
  GpuProbe probe;
  probe_driver(libraries.driver, probe);
  probe_runtime(libraries.runtime, probe);
  return probe;
}

}  // namespace tandem::gpu
