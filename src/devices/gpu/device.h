// The NVIDIA GPU: present where the driver finds a GPU and tandem was built with CUDA; otherwise
// it reports itself absent, with the fix, so that AUTO never picks it.
#pragma once

#include "devices/device.h"

namespace tandem::gpu {

const devices::Device& gpu_device();

}  // namespace tandem::gpu
