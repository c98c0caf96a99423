// DeviceUnavailable errors carrying a device's diagnosis.
#include "runtime/device_errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tandem::runtime {

Error device_unavailable_error(const devices::Diagnosis& diagnosis) {
  std::vector<std::string> others;
  bool first = true;
  for (const devices::Check& check : diagnosis.checks()) {
    if (check.ok) continue;
    if (!first)
      others.push_back(fmt::format("{}: {} [fix: {}]", check.what, check.found, check.fix));
    first = false;
  }
  // A device that passed every check by now (a driver installed meanwhile) still failed the caller.
  if (first)
    return Error(ErrorKind::DeviceUnavailable, fmt::format("{}: unavailable", diagnosis.device()));
  std::string message = diagnosis.summary();
  if (!others.empty()) message += fmt::format("; also failed: {}", fmt::join(others, "; "));
  return Error(ErrorKind::DeviceUnavailable, std::move(message));
}

Error device_unavailable_error(const devices::Device& device) {
  return device_unavailable_error(device.diagnose());
}

}  // namespace tandem::runtime
