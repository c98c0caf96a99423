// The Intel NPU: detected and diagnosed through its Linux driver stack; tandem cannot compile for
// it yet, so it never runs a node (VNPU is the software stand-in that does).
#pragma once

#include "devices/device.h"

namespace tandem::npu {

const devices::Device& npu_device();

}  // namespace tandem::npu
