// The optimised kernels, tried in order; the first that accepts the node wins.
#include "devices/cpu/kernels/kernels.h"

namespace tandem::cpu {

std::unique_ptr<Kernel> select_kernel(const NodeInfo& info) {
  using Factory = std::unique_ptr<Kernel> (*)(const NodeInfo&);
  static constexpr Factory kFactories[] = {
      make_onednn_conv,
      make_onednn_matmul,
      make_onednn_gemm,
      make_onednn_pool,
      make_onednn_concat,
      make_onednn_binary,
      make_onednn_eltwise,
      make_onednn_softmax,
      make_onednn_layer_norm,
      make_onednn_transpose,
      make_onednn_slice,
      make_pad,
      make_onednn_attention,
  };
  for (Factory make : kFactories)
    if (auto kernel = make(info)) return kernel;
  return nullptr;
}

}  // namespace tandem::cpu
