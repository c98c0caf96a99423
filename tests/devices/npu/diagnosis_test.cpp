// The NPU's diagnosis from probes made by hand: each missing part gives a failed check that says
// what was found and how to fix it, and a complete stack is available.
#include "devices/npu/diagnosis.h"

#include <gtest/gtest.h>

namespace tandem::npu {
namespace {

NpuProbe complete_stack() {
  NpuProbe probe;
  probe.accel_dir_exists = true;
  probe.nodes = {DeviceNode{.path = "/dev/accel/accel0",
                            .driver = "intel_vpu",
                            .openable = true,
                            .mode = "crw-rw----",
                            .group = "render"}};
  probe.module_loaded = true;
  probe.module_evidence = "/sys/module/intel_vpu exists";
  probe.level_zero = {{"libze_loader.so.1"}, true, "/usr/lib/x86_64-linux-gnu/libze_loader.so.1"};
  probe.driver = {{"libze_intel_npu.so"}, true, "/usr/lib/x86_64-linux-gnu/libze_intel_npu.so"};
  return probe;
}

const devices::Check& check_about(const devices::Diagnosis& d, const std::string& what) {
  for (const devices::Check& check : d.checks())
    if (check.what.find(what) != std::string::npos) return check;
  throw std::runtime_error("no check about " + what);
}

TEST(NpuDiagnosis, CompleteStackIsAvailable) {
  const devices::Diagnosis d = diagnose(complete_stack());
  EXPECT_TRUE(d.available());
  EXPECT_EQ(d.summary(), "NPU: available");
  ASSERT_EQ(d.checks().size(), 5u);
  EXPECT_EQ(check_about(d, "device node").found, "/dev/accel/accel0 (driver intel_vpu)");
  EXPECT_EQ(check_about(d, "Level Zero loader").found,
            "loaded /usr/lib/x86_64-linux-gnu/libze_loader.so.1");
}

TEST(NpuDiagnosis, NoAcceleratorAtAllFailsEveryCheckWithItsFix) {
  NpuProbe probe;
  probe.module_evidence = "no /sys/module/intel_vpu and not listed in /proc/modules";
  probe.level_zero = {
      {"libze_loader.so.1"}, false, "libze_loader.so.1: cannot open shared object file"};
  probe.driver = {
      {"libze_intel_npu.so"}, false, "libze_intel_npu.so: cannot open shared object file"};
  const devices::Diagnosis d = diagnose(probe);
  EXPECT_FALSE(d.available());
  for (const devices::Check& check : d.checks()) {
    EXPECT_FALSE(check.ok) << check.what;
    EXPECT_FALSE(check.fix.empty()) << check.what;
  }
  // The first check is the most basic one, and the summary names it.
  EXPECT_EQ(d.checks().front().what, "an Intel NPU device node (/dev/accel/accel*)");
  EXPECT_NE(d.summary().find("NPU: unavailable: no /dev/accel directory"), std::string::npos)
      << d.summary();
  EXPECT_NE(d.summary().find("linux-npu-driver"), std::string::npos) << d.summary();
  EXPECT_NE(check_about(d, "intel_vpu kernel module").fix.find("modprobe intel_vpu"),
            std::string::npos);
  EXPECT_EQ(check_about(d, "permission").found, "no Intel NPU device node to open");
  EXPECT_NE(check_about(d, "permission").fix.find("render"), std::string::npos);
  EXPECT_EQ(check_about(d, "Level Zero loader").found,
            "libze_loader.so.1: cannot open shared object file");
  EXPECT_NE(check_about(d, "Level Zero loader").fix.find("libze1"), std::string::npos);
  EXPECT_NE(check_about(d, "NPU driver library").fix.find("intel-level-zero-npu"),
            std::string::npos);
}

TEST(NpuDiagnosis, OtherAcceleratorsNodesDoNotCount) {
  NpuProbe probe = complete_stack();
  probe.nodes = {DeviceNode{.path = "/dev/accel/accel0", .driver = "amdxdna", .openable = true}};
  const devices::Diagnosis d = diagnose(probe);
  const devices::Check& node = check_about(d, "device node");
  EXPECT_FALSE(node.ok);
  EXPECT_EQ(node.found, "/dev/accel/accel0 (driver amdxdna): none is driven by intel_vpu");
}

TEST(NpuDiagnosis, NodeOfUnknownDriverIsGivenTheBenefitOfTheDoubt) {
  NpuProbe probe = complete_stack();
  probe.nodes[0].driver.clear();
  EXPECT_TRUE(diagnose(probe).available());
}

TEST(NpuDiagnosis, NodeTheUserMayNotOpenNamesItsGroupInTheFix) {
  NpuProbe probe = complete_stack();
  probe.nodes[0].openable = false;
  const devices::Diagnosis d = diagnose(probe);
  EXPECT_FALSE(d.available());
  const devices::Check& permission = check_about(d, "permission");
  EXPECT_FALSE(permission.ok);
  EXPECT_EQ(
      permission.found,
      "/dev/accel/accel0 (crw-rw----, group render) may not be opened read-write by this user");
  EXPECT_EQ(permission.fix,
            "add the user to the render group (sudo usermod -aG render $USER) and log in again");
}

TEST(NpuDiagnosis, MissingDriverLibraryAloneMakesItUnavailable) {
  NpuProbe probe = complete_stack();
  probe.driver = {
      {"libze_intel_npu.so", "libze_intel_vpu.so.1"}, false, "libze_intel_npu.so: not found"};
  const devices::Diagnosis d = diagnose(probe);
  EXPECT_FALSE(d.available());
  EXPECT_EQ(d.summary(),
            "NPU: unavailable: libze_intel_npu.so: not found; install intel-level-zero-npu from "
            "github.com/intel/linux-npu-driver/releases");
}

}  // namespace
}  // namespace tandem::npu
