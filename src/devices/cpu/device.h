// The CPU device: runs every op the library defines, with oneDNN kernels where they apply.
#pragma once

#include "devices/device.h"

namespace tandem::cpu {

const devices::Device& cpu_device();

}  // namespace tandem::cpu
