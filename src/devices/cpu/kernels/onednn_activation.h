// The activations of tandem's fused ops (ops::Activation) as oneDNN eltwise post-ops, for the
// kernels that apply one while the primitive's output is still in cache.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/nn/fused_conv.h"

namespace tandem::cpu {

/// Appends `activation` to `post_ops` (nothing for None); false where oneDNN 2.6 has no
/// equivalent, and then `post_ops` may hold part of it: the caller declines the node.
bool append_activation(dnnl::post_ops& post_ops, const ops::Activation& activation);

}  // namespace tandem::cpu
