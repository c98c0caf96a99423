// The virtual NPU (VNPU): a software device on the CPU that obeys an NPU's rules (static shapes,
// FP16/INT8 arithmetic, a fixed op set, its own memory with explicit transfers, one worker), so
// the heterogeneous path can be built and tested without an NPU. It is not an accelerator.
#pragma once

#include "devices/device.h"

namespace tandem::vnpu {

const devices::Device& vnpu_device();

}  // namespace tandem::vnpu
