// The error for compiling on a device that is absent: its whole diagnosis, so the user reads the
// reason and the fix without running anything else.
#pragma once

#include "devices/device.h"
#include "tandem/error.h"

namespace tandem::runtime {

/// DeviceUnavailable: the diagnosis summary (the first failed check and its fix), then every other
/// failed check with what was found and its fix, on one line.
Error device_unavailable_error(const devices::Diagnosis& diagnosis);
/// The same for `device`, diagnosed now.
Error device_unavailable_error(const devices::Device& device);

}  // namespace tandem::runtime
