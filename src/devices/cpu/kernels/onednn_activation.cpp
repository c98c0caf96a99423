// ops::Activation to oneDNN eltwise post-ops.
#include "devices/cpu/kernels/onednn_activation.h"

namespace tandem::cpu {

bool append_activation(dnnl::post_ops& post_ops, const ops::Activation& a) {
  using dnnl::algorithm;
  using Kind = ops::ActivationKind;
  const auto append = [&](algorithm algorithm, float alpha = 0.0f, float beta = 0.0f) {
    post_ops.append_eltwise(1.0f, algorithm, alpha, beta);
    return true;
  };
  switch (a.kind) {
    case Kind::None:
      return true;
    case Kind::Relu:
      return append(algorithm::eltwise_relu);
    case Kind::LeakyRelu:
      return append(algorithm::eltwise_relu, a.alpha);
    case Kind::Clip:
      return append(algorithm::eltwise_clip_v2, a.alpha, a.beta);
    case Kind::Sigmoid:
      return append(algorithm::eltwise_logistic);
    case Kind::HardSigmoid:
      // oneDNN 2.6 has no hard sigmoid: a linear function, then a clip to [0, 1].
      append(algorithm::eltwise_linear, a.alpha, a.beta);
      return append(algorithm::eltwise_clip_v2, 0.0f, 1.0f);
    case Kind::HardSwish:
      return append(algorithm::eltwise_hardswish);
    case Kind::Swish:
      return append(algorithm::eltwise_swish, a.alpha);
    case Kind::Tanh:
      return append(algorithm::eltwise_tanh);
    case Kind::Elu:
      return append(algorithm::eltwise_elu, a.alpha);
    case Kind::Gelu:
      return append(algorithm::eltwise_gelu_erf);
    case Kind::GeluTanh:
      return append(algorithm::eltwise_gelu_tanh);
  }
  return false;
}

}  // namespace tandem::cpu
