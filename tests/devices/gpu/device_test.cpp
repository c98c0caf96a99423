// The GPU through the device seam, on whatever machine runs the test: its identity, a diagnosis
// consistent with the machine, and no execution until issue 12.
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
  EXPECT_TRUE(info.dynamic_shapes);
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
  EXPECT_FALSE(d.available());  // until issue 12 builds its kernels
}

TEST(GpuDevice, RunsNothingUntilItsKernelsExist) {
  const ir::Node relu{.name = "relu", .op_type = "Relu"};
  const devices::Support support =
      gpu_device().supports(execution::NodeInfo{.node = relu, .opset = 14});
  EXPECT_FALSE(support.ok);
  EXPECT_NE(support.reason.find("issue 12"), std::string::npos) << support.reason;
  try {
    gpu_device().compile(nullptr, {});
    FAIL() << "compile did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
  }
}

}  // namespace
}  // namespace tandem::gpu
