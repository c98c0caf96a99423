// DeviceUnavailable errors carry the whole diagnosis: the summary first, then every other failed
// check with what was found and its fix.
#include "runtime/device_errors.h"

#include <gtest/gtest.h>

#include "devices/registry.h"

namespace tandem::runtime {
namespace {

TEST(DeviceUnavailableError, CarriesEveryFailedCheckWithItsFix) {
  devices::Diagnosis d("XPU");
  d.check("a driver", true, "libxpu.so.1");
  d.check("a device node", false, "no /dev/xpu0", "plug one in");
  d.check("permission", false, "no device node to open", "join the xpu group");
  const Error e = device_unavailable_error(d);
  EXPECT_EQ(e.kind(), ErrorKind::DeviceUnavailable);
  EXPECT_STREQ(e.what(),
               "XPU: unavailable: no /dev/xpu0; plug one in; also failed: permission: no device "
               "node to open [fix: join the xpu group]");
}

TEST(DeviceUnavailableError, OneFailedCheckIsTheSummaryAlone) {
  devices::Diagnosis d("XPU");
  d.check("a device node", false, "no /dev/xpu0", "plug one in");
  EXPECT_STREQ(device_unavailable_error(d).what(), "XPU: unavailable: no /dev/xpu0; plug one in");
}

TEST(DeviceUnavailableError, ForTheNpuOnAMachineWithoutOne) {
  const devices::Device* npu = devices::find_device("NPU");
  ASSERT_NE(npu, nullptr);
  const devices::Diagnosis d = npu->diagnose();
  if (d.available()) GTEST_SKIP() << "this machine has an NPU";
  const Error e = device_unavailable_error(*npu);
  EXPECT_EQ(e.kind(), ErrorKind::DeviceUnavailable);
  const std::string message = e.what();
  EXPECT_EQ(message.rfind("NPU: unavailable: ", 0), 0u) << message;
  for (const devices::Check& check : d.checks()) {
    if (!check.ok) {
      EXPECT_NE(message.find(check.fix), std::string::npos) << check.what;
    }
  }
}

}  // namespace
}  // namespace tandem::runtime
