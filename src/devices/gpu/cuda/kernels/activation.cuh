// The activations FusedConv and FusedMatMul apply (ops/nn/fused_conv.h), as device functions that
// every kernel's epilogue shares. Computed in f32 whatever the storage type.
#pragma once

#include <cuda_runtime.h>

namespace tandem::gpu {

/// ops::ActivationKind's values, in its order (activation.cpp converts and checks them).
enum class DeviceActivationKind : int {
  None,
  Relu,
  LeakyRelu,
  Clip,
  Sigmoid,
  HardSigmoid,
  HardSwish,
  Swish,
  Tanh,
  Elu,
  Gelu,
  GeluTanh
};

struct DeviceActivation {
  DeviceActivationKind kind = DeviceActivationKind::None;
  float alpha = 0.0f, beta = 0.0f;
};

#ifdef __CUDACC__  // the host side (activation.h) needs only the struct
__device__ __forceinline__ float activate(const DeviceActivation& a, float x) {
  switch (a.kind) {
    case DeviceActivationKind::None: return x;
    case DeviceActivationKind::Relu: return fmaxf(x, 0.0f);
    case DeviceActivationKind::LeakyRelu: return x >= 0.0f ? x : a.alpha * x;
    case DeviceActivationKind::Clip: return fminf(fmaxf(x, a.alpha), a.beta);
    case DeviceActivationKind::Sigmoid: return 1.0f / (1.0f + expf(-x));
    case DeviceActivationKind::HardSigmoid: return fminf(fmaxf(a.alpha * x + a.beta, 0.0f), 1.0f);
    case DeviceActivationKind::HardSwish: return x * fminf(fmaxf(x / 6.0f + 0.5f, 0.0f), 1.0f);
    case DeviceActivationKind::Swish: return x / (1.0f + expf(-a.alpha * x));
    case DeviceActivationKind::Tanh: return tanhf(x);
    case DeviceActivationKind::Elu: return x >= 0.0f ? x : a.alpha * (expf(x) - 1.0f);
    case DeviceActivationKind::Gelu: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case DeviceActivationKind::GeluTanh:
      return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
  }
  return x;
}
#endif

}  // namespace tandem::gpu
