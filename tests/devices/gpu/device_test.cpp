// The GPU through the device seam, on whatever machine runs the test: its identity, a diagnosis
// consistent with the machine and the build, and nothing compiled where it is unavailable.
#include "devices/gpu/device.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include "tandem/error.h"

namespace tandem::gpu {
namespace {

TEST(GpuDevice, Identity) {
  const devices::DeviceInfo info = gpu_device().info();
  EXPECT_EQ(info.name, "GPU");
  EXPECT_FALSE(info.is_virtual);
  EXPECT_FALSE(info.dynamic_shapes);  // its memory is planned at compile time
}

TEST(GpuDevice, DiagnosisMatchesTheMachine) {
  const devices::Diagnosis d = gpu_device().diagnose();
  ASSERT_EQ(d.checks().size(), 4u);
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  EXPECT_EQ(d.checks()[0].ok, driver != nullptr) << d.checks()[0].found;
  if (driver) dlclose(driver);
  for (const devices::Check& check : d.checks()) {
    if (!check.ok) {
      EXPECT_FALSE(check.fix.empty()) << check.what;
    }
  }
  // Available only with a driver that sees a GPU and a CUDA build (diagnosis_test covers each).
  if (!driver) {
    EXPECT_FALSE(d.available());
  }
}

TEST(GpuDevice, CompilesNothingWhereUnavailable) {
  if (gpu_device().diagnose().available()) GTEST_SKIP() << "a GPU is present";
  try {
    gpu_device().compile(nullptr, {});
    FAIL() << "compile did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_EQ(std::string(e.what()).rfind("GPU: unavailable: ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace tandem::gpu
