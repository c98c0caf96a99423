// hello_query_device: the devices tandem knows, present on this machine or not, and what each can
// do. For an absent device it prints what is missing and how to fix it.
//
//   build/samples/hello_query_device
#include <iostream>
#include <string>
#include <vector>

#include "tandem/tandem.h"

namespace {

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

void print(const tandem::DeviceDescription& device) {
  std::cout << device.name << ": " << device.full_name << "\n"
            << "  available:       " << (device.available ? "yes" : "no") << "\n"
            << "  virtual:         " << (device.is_virtual ? "yes" : "no") << "\n"
            << "  precisions:      " << join(device.precisions) << "\n"
            << "  dynamic shapes:  " << (device.dynamic_shapes ? "yes" : "no") << "\n"
            << "  memory:          " << device.memory << "\n";
  for (const tandem::DeviceCheck& check : device.checks) {
    if (check.ok) continue;
    std::cout << "  missing:         " << check.what << ": " << check.found << "\n"
              << "    fix:           " << check.fix << "\n";
  }
}

}  // namespace

int main() {
  try {
    tandem::Core core;
    for (const tandem::DeviceDescription& device : core.devices()) {
      print(device);
      std::cout << "\n";
    }
    std::cout << "available, best first: " << join(core.available_devices()) << "\n";
    return 0;
  } catch (const tandem::Error& e) {
    std::cerr << "hello_query_device: " << e.what() << "\n";
    return 1;
  }
}
