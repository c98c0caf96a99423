// The graph passes, one per file; each rewrites a model in place and leaves what it cannot prove
// safe as it was. optimize() (optimize.h) runs them in order.
#pragma once

#include "ir/graph.h"

namespace tandem::passes {

/// Conv -> BatchNormalization (inference mode, constant f32 weights and statistics) becomes one
/// Conv with the normalisation folded into new weights and bias.
void fold_conv_batch_norm(ir::Model& model);

/// Conv [-> Add(residual of the same shape)] [-> activation] becomes one FusedConv node (domain
/// com.tandem, ops/nn/fused_conv.h) where the values in between have no other reader and are
/// not graph outputs. Activations: Relu, LeakyRelu, Clip with constant bounds, Sigmoid,
/// HardSigmoid, HardSwish, Swish and x * Sigmoid(x), Tanh, Elu.
void fuse_conv(ir::Model& model);

}  // namespace tandem::passes
