// Each fact of the GPU probe becomes a check; a failed one carries the fix. Checks that depend on
// an earlier failure say so instead of guessing.
#include "devices/gpu/diagnosis.h"

#include <fmt/format.h>

namespace tandem::gpu {
namespace {

constexpr int kCudaErrorStubLibrary = 34;
constexpr int kCudaErrorInsufficientDriver = 35;
constexpr int kCudaErrorNoDevice = 100;

constexpr const char* kInstallDriver =
    "install the NVIDIA driver (Debian: sudo apt install nvidia-driver, from non-free; or NVIDIA's "
    "installer) and reboot; in a container, run it with the NVIDIA Container Toolkit (docker run "
    "--gpus all)";

std::string cuda_version(int version) {
  return fmt::format("{}.{}", version / 1000, version % 1000 / 10);
}

void check_driver(devices::Diagnosis& d, const GpuProbe& probe) {
  const bool ok = probe.driver_loaded && probe.driver_error.empty();
  std::string found =
      !probe.driver_loaded ? probe.driver_detail
      : !probe.driver_error.empty()
          ? fmt::format("loaded {}, but {}", probe.driver_detail, probe.driver_error)
          : fmt::format("loaded {} (supports CUDA {})", probe.driver_detail,
                        cuda_version(probe.driver_version));
  d.check("the NVIDIA driver (libcuda.so.1)", ok, std::move(found),
          probe.driver_loaded
              ? "reinstall the NVIDIA driver: this libcuda.so.1 is broken or too old"
              : kInstallDriver);
}

void check_runtime(devices::Diagnosis& d, const GpuProbe& probe) {
  d.check("the CUDA runtime library (libcudart.so)", probe.runtime_loaded,
          probe.runtime_loaded ? "loaded " + probe.runtime_detail : probe.runtime_detail,
          "install the CUDA runtime (the CUDA toolkit, or the cuda-cudart package) where the "
          "dynamic loader finds it (ldconfig, or LD_LIBRARY_PATH)");
}

std::string init_fix(int result) {
  if (result == kCudaErrorNoDevice)
    return "the driver sees no GPU: check nvidia-smi; in a container pass --gpus all; an empty or "
           "wrong CUDA_VISIBLE_DEVICES hides every GPU";
  if (result == kCudaErrorStubLibrary)
    return "the libcuda.so.1 found is the CUDA toolkit's link stub: take its stubs directory out "
           "of LD_LIBRARY_PATH and install the NVIDIA driver";
  if (result == kCudaErrorInsufficientDriver)
    return "update the NVIDIA driver: its kernel module is older than this libcuda.so.1";
  return "check nvidia-smi and the kernel log (sudo dmesg | grep -i nvrm)";
}

void check_device(devices::Diagnosis& d, const GpuProbe& probe) {
  const std::string what = "an NVIDIA GPU (cuInit, cuDeviceGetCount)";
  if (!probe.init_called) {
    d.check(what, false, "not checked: the driver is not usable",
            "make the NVIDIA driver usable first (see above)");
    return;
  }
  if (probe.init_result != 0) {
    d.check(what, false,
            fmt::format("cuInit failed with {} ({})", probe.init_error_name, probe.init_result),
            init_fix(probe.init_result));
    return;
  }
  if (probe.device_count == 0) {
    d.check(what, false, "cuInit succeeded but cuDeviceGetCount found no GPU",
            init_fix(kCudaErrorNoDevice));
    return;
  }
  d.check(what, true,
          fmt::format(
              "{} with {:.1f} GiB{}", probe.device_name.empty() ? "device 0" : probe.device_name,
              double(probe.device_memory) / double(1 << 30),
              probe.device_count > 1 ? fmt::format(" (and {} more)", probe.device_count - 1) : ""));
}

}  // namespace

devices::Diagnosis diagnose(const GpuProbe& probe, const std::optional<std::string>& execution_missing) {
  devices::Diagnosis d("GPU");
  check_driver(d, probe);
  check_runtime(d, probe);
  check_device(d, probe);
  d.check("tandem's GPU plugin (libtandem_gpu_cuda.so: CUDA, cuBLAS, cuDNN)", !execution_missing,
          execution_missing ? "not usable" : "present", execution_missing.value_or(""));
  return d;
}

}  // namespace tandem::gpu
