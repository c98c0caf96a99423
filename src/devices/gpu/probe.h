// What this machine has of NVIDIA's stack (driver, CUDA runtime, GPUs), as facts; diagnosis.cpp
// judges them. The driver is reached through dlopen and dlsym: no CUDA header or link is needed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tandem::gpu {

struct GpuProbe {
  bool driver_loaded = false;
  std::string driver_detail;  // the path libcuda loaded from, or the dynamic loader's error
  int driver_version = 0;     // cuDriverGetVersion: 1000 * major + 10 * minor; 0 if unknown
  std::string driver_error;   // a missing entry point or failed call of the driver, if any
  bool runtime_loaded = false;
  std::string runtime_detail;  // the path libcudart loaded from, or the dynamic loader's errors
  bool init_called = false;
  int init_result = -1;         // cuInit's CUresult (0: CUDA_SUCCESS)
  std::string init_error_name;  // "CUDA_ERROR_NO_DEVICE"
  int device_count = 0;
  std::string device_name;   // of device 0
  size_t device_memory = 0;  // bytes, of device 0
};

/// Library names probe_gpu tries; tests name libraries that do not exist.
struct GpuLibraries {
  std::string driver = "libcuda.so.1";
  std::vector<std::string> runtime = {"libcudart.so", "libcudart.so.13", "libcudart.so.12",
                                      "libcudart.so.11.0"};
};

/// Loads the driver (and keeps it loaded: unloading it after cuInit is unsafe), initialises it and
/// counts the GPUs; looks for the CUDA runtime. Never throws.
GpuProbe probe_gpu(const GpuLibraries& libraries = {});

}  // namespace tandem::gpu
