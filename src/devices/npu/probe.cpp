// The Intel NPU probe: reads /dev/accel, sysfs and /proc/modules, and asks the dynamic loader for
// the Level Zero libraries. Nothing is linked: a binary without them starts and says so here.
#include "devices/npu/probe.h"

#include <dlfcn.h>
#include <grp.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace tandem::npu {
namespace {

namespace fs = std::filesystem;

std::string mode_string(mode_t mode) {
  std::string text = S_ISCHR(mode) ? "c" : S_ISDIR(mode) ? "d" : "-";
  const char* letters = "rwxrwxrwx";
  for (int bit = 0; bit < 9; ++bit) text += (mode & (0400 >> bit)) ? letters[bit] : '-';
  return text;
}

std::string group_name(gid_t gid) {
  std::vector<char> buffer(4096);
  group entry{};
  group* found = nullptr;
  if (getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == 0 && found)
    return entry.gr_name;
  return std::to_string(gid);
}

DeviceNode inspect_node(const fs::path& path, const NpuPaths& paths) {
  DeviceNode node{.path = path.string()};
  std::error_code error;
  const fs::path driver = fs::read_symlink(
      fs::path(paths.sys_class_accel) / path.filename() / "device" / "driver", error);
  if (!error) node.driver = driver.filename().string();
  node.openable = access(node.path.c_str(), R_OK | W_OK) == 0;
  struct stat status {};
  if (stat(node.path.c_str(), &status) == 0) {
    node.mode = mode_string(status.st_mode);
    node.group = group_name(status.st_gid);
  }
  return node;
}

bool listed_in_proc_modules(const std::string& proc_modules, const std::string& module) {
  std::ifstream modules(proc_modules);
  for (std::string line; std::getline(modules, line);)
    if (line.rfind(module + " ", 0) == 0) return true;
  return false;
}

// The library stays unloaded afterwards: the probe calls nothing in it, so there is no state to
// keep.
LibraryProbe find_library(const std::vector<std::string>& names) {
  LibraryProbe probe{.names = names};
  std::vector<std::string> errors;
  for (const std::string& name : names) {
    void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* error = dlerror();
      errors.push_back(error ? error : name + ": not found");
      continue;
    }
    link_map* map = nullptr;
    probe.detail =
        dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name[0] ? map->l_name : name;
    dlclose(handle);
    probe.loaded = true;
    return probe;
  }
  for (const std::string& error : errors)
    probe.detail += (probe.detail.empty() ? "" : "; ") + error;
  return probe;
}

}  // namespace

NpuProbe probe_npu(const NpuPaths& paths) {
  NpuProbe probe;
  std::error_code error;
  probe.accel_dir_exists = fs::is_directory(paths.accel_dir, error);
  if (probe.accel_dir_exists)
    for (const fs::directory_entry& entry : fs::directory_iterator(paths.accel_dir, error))
      if (entry.path().filename().string().rfind("accel", 0) == 0)
        probe.nodes.push_back(inspect_node(entry.path(), paths));
  std::sort(probe.nodes.begin(), probe.nodes.end(),
            [](const DeviceNode& a, const DeviceNode& b) { return a.path < b.path; });

  const fs::path module_dir = fs::path(paths.sys_module) / "intel_vpu";
  if (fs::exists(module_dir, error)) {
    probe.module_loaded = true;
    probe.module_evidence = module_dir.string() + " exists";
  } else if (listed_in_proc_modules(paths.proc_modules, "intel_vpu")) {
    probe.module_loaded = true;
    probe.module_evidence = "listed in " + paths.proc_modules;
  } else {
    probe.module_evidence =
        "no " + module_dir.string() + " and not listed in " + paths.proc_modules;
  }

  probe.level_zero = find_library(paths.level_zero);
  probe.driver = find_library(paths.driver);
  return probe;
}

}  // namespace tandem::npu
