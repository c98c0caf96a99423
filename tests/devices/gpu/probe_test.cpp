// The GPU probe with libraries that do not exist: it reports the dynamic loader's errors and
// calls nothing. (With the real libraries it runs in device_test.cpp.)
#include "devices/gpu/probe.h"

#include <gtest/gtest.h>

namespace tandem::gpu {
namespace {

TEST(GpuProbe, MissingLibrariesAreReportedNotFatal) {
  const GpuProbe probe = probe_gpu(
      GpuLibraries{.driver = "libtandem_no_such_cuda.so.1",
                   .runtime = {"libtandem_no_such_cudart.so", "libtandem_no_such_cudart.so.13"}});
  EXPECT_FALSE(probe.driver_loaded);
  EXPECT_NE(probe.driver_detail.find("libtandem_no_such_cuda.so.1"), std::string::npos)
      << probe.driver_detail;
  EXPECT_FALSE(probe.init_called);
  EXPECT_EQ(probe.device_count, 0);
  EXPECT_FALSE(probe.runtime_loaded);
  EXPECT_NE(probe.runtime_detail.find("libtandem_no_such_cudart.so: "), std::string::npos)
      << probe.runtime_detail;
  EXPECT_NE(probe.runtime_detail.find("libtandem_no_such_cudart.so.13"), std::string::npos)
      << probe.runtime_detail;
}

TEST(GpuProbe, LibraryWithoutTheDriverApiIsNotADriver) {
  const GpuProbe probe = probe_gpu(GpuLibraries{.driver = "libm.so.6", .runtime = {}});
  EXPECT_TRUE(probe.driver_loaded);
  EXPECT_EQ(probe.driver_error, "it has no cuInit");
  EXPECT_FALSE(probe.init_called);
}

}  // namespace
}  // namespace tandem::gpu
