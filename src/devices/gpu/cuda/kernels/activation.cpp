#include "devices/gpu/cuda/kernels/activation.h"

namespace tandem::gpu {

static_assert(int(DeviceActivationKind::GeluTanh) == int(ops::ActivationKind::GeluTanh) &&
                  int(DeviceActivationKind::Swish) == int(ops::ActivationKind::Swish),
              "activation.cuh lists ops::ActivationKind's values in its order");

DeviceActivation device_activation(const ops::Activation& activation) {
  return {DeviceActivationKind(int(activation.kind)), activation.alpha, activation.beta};
}

}  // namespace tandem::gpu
