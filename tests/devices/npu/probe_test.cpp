// The NPU probe on a directory tree made here (device nodes, sysfs links, /proc/modules), and on
// libraries that exist and do not.
#include "devices/npu/probe.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tandem::npu {
namespace {

namespace fs = std::filesystem;

class NpuProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("tandem-npu-probe-" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    paths_ = NpuPaths{.accel_dir = (root_ / "dev/accel").string(),
                      .sys_class_accel = (root_ / "sys/class/accel").string(),
                      .sys_module = (root_ / "sys/module").string(),
                      .proc_modules = (root_ / "proc/modules").string(),
                      .level_zero = {"libtandem_no_such_loader.so.1"},
                      .driver = {"libtandem_no_such_npu.so", "libtandem_no_such_vpu.so.1"}};
  }
  void TearDown() override { fs::remove_all(root_); }
  void touch(const fs::path& path, const std::string& text = {}) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  fs::path root_;
  NpuPaths paths_;
};

TEST_F(NpuProbeTest, EmptyMachineHasNothing) {
  const NpuProbe probe = probe_npu(paths_);
  EXPECT_FALSE(probe.accel_dir_exists);
  EXPECT_TRUE(probe.nodes.empty());
  EXPECT_FALSE(probe.module_loaded);
  EXPECT_NE(probe.module_evidence.find("not listed in"), std::string::npos)
      << probe.module_evidence;
  EXPECT_FALSE(probe.level_zero.loaded);
  EXPECT_NE(probe.level_zero.detail.find("libtandem_no_such_loader.so.1"), std::string::npos);
  // Both driver names were tried, and both errors are reported.
  EXPECT_FALSE(probe.driver.loaded);
  EXPECT_NE(probe.driver.detail.find("libtandem_no_such_npu.so"), std::string::npos)
      << probe.driver.detail;
  EXPECT_NE(probe.driver.detail.find("libtandem_no_such_vpu.so.1"), std::string::npos)
      << probe.driver.detail;
}

TEST_F(NpuProbeTest, FindsNodesTheirDriverAndTheModule) {
  touch(root_ / "dev/accel/accel1");
  touch(root_ / "dev/accel/accel0");
  touch(root_ / "dev/accel/not_a_node");
  fs::create_directories(root_ / "sys/bus/pci/drivers/intel_vpu");
  fs::create_directories(root_ / "sys/class/accel/accel0/device");
  fs::create_directory_symlink(root_ / "sys/bus/pci/drivers/intel_vpu",
                               root_ / "sys/class/accel/accel0/device/driver");
  touch(root_ / "proc/modules",
        "snd 1 0 - Live 0x0\nintel_vpu 327680 0 - Live 0x0000000000000000\n");

  const NpuProbe probe = probe_npu(paths_);
  EXPECT_TRUE(probe.accel_dir_exists);
  ASSERT_EQ(probe.nodes.size(), 2u);
  EXPECT_EQ(probe.nodes[0].path, (root_ / "dev/accel/accel0").string());
  EXPECT_EQ(probe.nodes[0].driver, "intel_vpu");
  EXPECT_TRUE(probe.nodes[0].openable);  // made by this process, so its owner
  EXPECT_EQ(probe.nodes[0].mode.substr(0, 3), "-rw");
  EXPECT_TRUE(probe.nodes[1].driver.empty());  // no sysfs entry for accel1
  EXPECT_TRUE(probe.module_loaded);
  EXPECT_EQ(probe.module_evidence, "listed in " + paths_.proc_modules);
}

TEST_F(NpuProbeTest, ModuleSeenInSysModule) {
  fs::create_directories(root_ / "sys/module/intel_vpu");
  const NpuProbe probe = probe_npu(paths_);
  EXPECT_TRUE(probe.module_loaded);
  EXPECT_EQ(probe.module_evidence, (root_ / "sys/module/intel_vpu").string() + " exists");
}

TEST_F(NpuProbeTest, LibraryThatLoadsReportsItsPath) {
  paths_.level_zero = {"libtandem_no_such_loader.so.1", "libm.so.6"};
  const NpuProbe probe = probe_npu(paths_);
  EXPECT_TRUE(probe.level_zero.loaded);
  EXPECT_EQ(probe.level_zero.detail.front(), '/') << probe.level_zero.detail;
  EXPECT_NE(probe.level_zero.detail.find("libm.so.6"), std::string::npos)
      << probe.level_zero.detail;
}

}  // namespace
}  // namespace tandem::npu
