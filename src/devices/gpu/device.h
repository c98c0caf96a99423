// The NVIDIA GPU, as far as detection and diagnosis go: its execution arrives with issue 12, and
// until then it reports itself absent so that AUTO never picks it.
#pragma once

#include "devices/device.h"

namespace tandem::gpu {

const devices::Device& gpu_device();

}  // namespace tandem::gpu
