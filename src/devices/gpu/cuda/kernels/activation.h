// A fused node's activation (ops/nn/fused_conv.h) as the device functions of activation.cuh take it.
#pragma once

#include "devices/gpu/cuda/kernels/activation.cuh"
#include "ops/nn/fused_conv.h"

namespace tandem::gpu {

DeviceActivation device_activation(const ops::Activation& activation);

}  // namespace tandem::gpu
