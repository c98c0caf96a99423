// The GPU's diagnosis from probes made by hand: no driver (this machine: the CUDA toolkit without
// a driver or GPU), a driver that sees no GPU, and a GPU with and without tandem's CUDA plugin.
#include "devices/gpu/diagnosis.h"

#include <gtest/gtest.h>

namespace tandem::gpu {
namespace {

const std::optional<std::string> kBuiltWithCuda = std::nullopt;
const std::optional<std::string> kWithoutCuda = std::string("this tandem was built without CUDA: rebuild");

GpuProbe toolkit_without_driver() {
  GpuProbe probe;
  probe.driver_detail = "libcuda.so.1: cannot open shared object file: No such file or directory";
  probe.runtime_loaded = true;
  probe.runtime_detail = "/usr/local/cuda/lib64/libcudart.so";
  return probe;
}

GpuProbe driver_with(int init_result, const std::string& init_error_name) {
  GpuProbe probe = toolkit_without_driver();
  probe.driver_loaded = true;
  probe.driver_detail = "/usr/lib/x86_64-linux-gnu/libcuda.so.1";
  probe.driver_version = 12040;
  probe.init_called = true;
  probe.init_result = init_result;
  probe.init_error_name = init_error_name;
  return probe;
}

TEST(GpuDiagnosis, ToolkitWithoutDriverSaysExactlyThat) {
  const devices::Diagnosis d = diagnose(toolkit_without_driver(), kWithoutCuda);
  EXPECT_FALSE(d.available());
  ASSERT_EQ(d.checks().size(), 4u);
  const devices::Check &driver = d.checks()[0], &runtime = d.checks()[1], &device = d.checks()[2];
  EXPECT_EQ(driver.what, "the NVIDIA driver (libcuda.so.1)");
  EXPECT_FALSE(driver.ok);
  EXPECT_EQ(driver.found,
            "libcuda.so.1: cannot open shared object file: No such file or directory");
  EXPECT_NE(driver.fix.find("install the NVIDIA driver"), std::string::npos) << driver.fix;
  EXPECT_TRUE(runtime.ok);
  EXPECT_EQ(runtime.found, "loaded /usr/local/cuda/lib64/libcudart.so");
  EXPECT_FALSE(device.ok);
  EXPECT_EQ(device.found, "not checked: the driver is not usable");
  EXPECT_EQ(d.summary().rfind("GPU: unavailable: libcuda.so.1: cannot open shared object file", 0),
            0u)
      << d.summary();
}

TEST(GpuDiagnosis, DriverThatSeesNoGpu) {
  const devices::Diagnosis d = diagnose(driver_with(100, "CUDA_ERROR_NO_DEVICE"), kBuiltWithCuda);
  EXPECT_TRUE(d.checks()[0].ok);
  EXPECT_EQ(d.checks()[0].found,
            "loaded /usr/lib/x86_64-linux-gnu/libcuda.so.1 (supports CUDA 12.4)");
  EXPECT_FALSE(d.checks()[2].ok);
  EXPECT_EQ(d.checks()[2].found, "cuInit failed with CUDA_ERROR_NO_DEVICE (100)");
  EXPECT_NE(d.checks()[2].fix.find("--gpus all"), std::string::npos) << d.checks()[2].fix;
}

TEST(GpuDiagnosis, ToolkitStubInsteadOfTheDriver) {
  const devices::Diagnosis d = diagnose(driver_with(34, "CUDA_ERROR_STUB_LIBRARY"), kBuiltWithCuda);
  EXPECT_FALSE(d.checks()[2].ok);
  EXPECT_NE(d.checks()[2].fix.find("stubs directory"), std::string::npos) << d.checks()[2].fix;
}

TEST(GpuDiagnosis, DriverMissingAnEntryPoint) {
  GpuProbe probe = driver_with(-1, "");
  probe.init_called = false;
  probe.driver_error = "it has no cuDeviceTotalMem_v2";
  const devices::Diagnosis d = diagnose(probe, kBuiltWithCuda);
  EXPECT_FALSE(d.checks()[0].ok);
  EXPECT_EQ(d.checks()[0].found,
            "loaded /usr/lib/x86_64-linux-gnu/libcuda.so.1, but it has no cuDeviceTotalMem_v2");
}

TEST(GpuDiagnosis, PresentGpuWithItsPluginIsAvailable) {
  GpuProbe probe = driver_with(0, "");
  probe.device_count = 2;
  probe.device_name = "NVIDIA H100 80GB HBM3";
  probe.device_memory = size_t(80) << 30;
  const devices::Diagnosis d = diagnose(probe, kBuiltWithCuda);
  for (const devices::Check& check : d.checks()) EXPECT_TRUE(check.ok) << check.what;
  EXPECT_EQ(d.checks()[2].found, "NVIDIA H100 80GB HBM3 with 80.0 GiB (and 1 more)");
  EXPECT_TRUE(d.available());
}

TEST(GpuDiagnosis, PresentGpuWithoutThePluginIsAbsent) {
  GpuProbe probe = driver_with(0, "");
  probe.device_count = 1;
  const devices::Diagnosis d = diagnose(probe, kWithoutCuda);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(d.checks()[i].ok) << d.checks()[i].what;
  EXPECT_FALSE(d.available());  // so AUTO does not pick it
  EXPECT_EQ(d.checks()[3].what, "tandem's GPU plugin (libtandem_gpu_cuda.so: CUDA, cuBLAS, cuDNN)");
  EXPECT_EQ(d.checks()[3].found, "not usable");
  EXPECT_EQ(d.checks()[3].fix, "this tandem was built without CUDA: rebuild");
}

}  // namespace
}  // namespace tandem::gpu
