// The NPU through the device seam, on whatever machine runs the test: its identity, a diagnosis
// that is consistent with the machine, and a clear no to compiling (tandem has no NPU compiler).
#include "devices/npu/device.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tandem/error.h"

namespace tandem::npu {
namespace {

TEST(NpuDevice, Identity) {
  const devices::DeviceInfo info = npu_device().info();
  EXPECT_EQ(info.name, "NPU");
  EXPECT_EQ(info.full_name, "Intel NPU (Level Zero)");
  EXPECT_FALSE(info.is_virtual);
  EXPECT_FALSE(info.dynamic_shapes);
  EXPECT_EQ(info.precisions, (std::vector<std::string>{"f16", "int8"}));
}

TEST(NpuDevice, DiagnosisHasEveryCheckAndAFixForEachFailure) {
  const devices::Diagnosis d = npu_device().diagnose();
  EXPECT_EQ(d.device(), "NPU");
  ASSERT_EQ(d.checks().size(), 5u);
  for (const devices::Check& check : d.checks()) {
    EXPECT_FALSE(check.found.empty()) << check.what;
    if (!check.ok) {
      EXPECT_FALSE(check.fix.empty()) << check.what;
    }
  }
}

TEST(NpuDevice, AbsentWithoutDeviceNode) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/accel", error))
    if (entry.path().filename().string().rfind("accel", 0) == 0)
      GTEST_SKIP() << "this machine has " << entry.path();
  const devices::Diagnosis d = npu_device().diagnose();
  EXPECT_FALSE(d.available());
  EXPECT_FALSE(d.checks().front().ok);
  EXPECT_NE(d.summary().find("/dev/accel"), std::string::npos) << d.summary();
}

TEST(NpuDevice, RunsNothingForLackOfACompiler) {
  const ir::Node relu{.name = "relu", .op_type = "Relu"};
  const devices::Support support =
      npu_device().supports(execution::NodeInfo{.node = relu, .opset = 14});
  EXPECT_FALSE(support.ok);
  EXPECT_NE(support.reason.find("no compiler for the Intel NPU"), std::string::npos)
      << support.reason;
  try {
    npu_device().compile(nullptr, {});
    FAIL() << "compile did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("no compiler for the Intel NPU"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tandem::npu
