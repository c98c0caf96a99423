// The devices built in, found by name.
#pragma once

#include <string_view>
#include <vector>

#include "devices/device.h"

namespace tandem::devices {

/// Every device built in, present or not, in AUTO's priority order; the CPU comes last.
const std::vector<const Device*>& all_devices();
/// The device called `name` ("CPU", "VNPU"), or null if none is built in.
const Device* find_device(std::string_view name);

}  // namespace tandem::devices
