// Core::devices and Core::device through the public API: every device built in, in AUTO's order,
// each described with its diagnosis; an unknown name is an error naming the known ones.
#include <gtest/gtest.h>

#include <algorithm>

#include "tandem/tandem.h"

namespace tandem {
namespace {

size_t position(const std::vector<DeviceDescription>& devices, const std::string& name) {
  auto it = std::find_if(devices.begin(), devices.end(),
                         [&](const DeviceDescription& d) { return d.name == name; });
  return size_t(it - devices.begin());
}

TEST(CoreDevices, ListsEveryDeviceBuiltInInPriorityOrder) {
  const std::vector<DeviceDescription> devices = Core().devices();
  ASSERT_FALSE(devices.empty());
  EXPECT_LT(position(devices, "NPU"), position(devices, "GPU"));
  EXPECT_LT(position(devices, "GPU"), devices.size() - 1);
  EXPECT_EQ(devices.back().name, "CPU");
  EXPECT_TRUE(devices.back().available);
}

TEST(CoreDevices, EachIsDescribedByItsDiagnosis) {
  for (const DeviceDescription& device : Core().devices()) {
    SCOPED_TRACE(device.name);
    EXPECT_FALSE(device.full_name.empty());
    EXPECT_FALSE(device.precisions.empty());
    EXPECT_FALSE(device.memory.empty());
    ASSERT_FALSE(device.checks.empty());
    const bool all_ok = std::all_of(device.checks.begin(), device.checks.end(),
                                    [](const DeviceCheck& c) { return c.ok; });
    EXPECT_EQ(device.available, all_ok);
    for (const DeviceCheck& check : device.checks)
      if (!check.ok) {
        EXPECT_FALSE(check.fix.empty()) << check.what;
      }
  }
}

TEST(CoreDevices, OneByName) {
  const DeviceDescription npu = Core().device("NPU");
  EXPECT_EQ(npu.full_name, "Intel NPU (Level Zero)");
  EXPECT_FALSE(npu.dynamic_shapes);
  EXPECT_EQ(Core().device("CPU").memory, "host memory");
}

TEST(CoreDevices, UnknownNameIsAnErrorNamingTheKnownDevices) {
  try {
    Core().device("TPU");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("device: tandem has no device 'TPU'; it knows ", 0), 0u) << message;
    for (const char* known : {"NPU", "GPU", "CPU"})
      EXPECT_NE(message.find(known), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace tandem
