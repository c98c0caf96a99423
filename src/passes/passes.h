// The graph passes, one per file; each rewrites a model in place and leaves what it cannot prove
// safe as it was. optimize() (optimize.h) runs them in order.
#pragma once

#include "ir/graph.h"

namespace tandem::passes {

/// Identity nodes, and Casts to the element type their input already has, go: their readers read
/// the input. A node whose output is a graph output or read by a subgraph stays.
void remove_identities(ir::Model& model);

/// Transposes move later, past the elementwise ops that read them (constant operands laid out
/// again to match), until they meet a Transpose that undoes them and both go; two Transposes in a
/// row become one. A move is made only where it adds no Transpose: a channels-last model
/// converted to ONNX, each Conv wrapped in a Transpose to channels-first and one back, keeps one
/// Transpose at its input and one before its head.
void sink_transposes(ir::Model& model);

/// 2-D Convs (with explicit equal pads), FusedConvs and pools of float images become ChannelsLast
/// nodes (ops/nn/channels_last.h), their images laid out [N, H, W, C], with Transposes where the
/// layout changes that sink_transposes then cancels between them. Not one of optimize()'s passes:
/// a device whose kernels prefer channels-last images asks for it (CompileOptions). Leaves the
/// graph as it was where more Transposes would remain than nodes laid out.
void to_channels_last(ir::Model& model);

/// Conv -> Add, Sub, Mul or Div by a constant of one value per output channel (or one for all),
/// on the Conv's output alone, becomes one Conv with new weights and bias; chains of them fold
/// one after another. A bias or BatchNormalization written out in arithmetic folds so.
void fold_conv_affine(ir::Model& model);

/// Conv -> BatchNormalization (inference mode, constant f32 weights and statistics) becomes one
/// Conv with the normalisation folded into new weights and bias.
void fold_conv_batch_norm(ir::Model& model);

/// Conv [-> Add(residual of the same shape)] [-> activation] becomes one FusedConv node (domain
/// com.tandem, ops/nn/fused_conv.h) where the values in between have no other reader and are
/// not graph outputs. Activations: Relu, LeakyRelu, Clip with constant bounds, Sigmoid,
/// HardSigmoid, HardSwish, Swish and x * Sigmoid(x), Tanh, Elu.
void fuse_conv(ir::Model& model);

/// A layer normalisation over the last axis written out in elementary ops (ReduceMean, Sub,
/// Pow or Mul, ReduceMean, Add of epsilon, Sqrt, Div or Mul by the reciprocal, Mul by a constant
/// gamma, Add of a constant beta) becomes one LayerNormalization node of domain com.tandem, where
/// every value in between has no other reader and gamma and beta hold one value per element of
/// the last axis.
void fuse_layer_norm(ir::Model& model);

/// GELU written out, 0.5 * x * (1 + Erf(x / sqrt(2))) or its tanh approximation, in the orders
/// exporters write it, becomes one Gelu node of domain com.tandem (the ONNX op, which exists only
/// from opset 20) where the values in between have no other reader.
void fuse_gelu(ir::Model& model);

/// MatMul by a constant 2-D weight -> Add of a constant 1-D bias of the weight's column count
/// [-> activation, Gelu included] becomes one FusedMatMul node (domain com.tandem,
/// ops/math/fused_matmul.h) where the values in between have no other reader. Runs after
/// fuse_gelu, so that a written-out Gelu is one activation by then.
void fuse_matmul(ir::Model& model);

/// Attention written out, Softmax(Q.K^T scaled by constants [+ mask]).V with Q, K, V and the
/// result moved between [B, S, H, D] and heads first by Transposes, becomes one MultiHeadAttention
/// node of domain com.tandem (ops/attention/multi_head_attention.h) reading the untransposed
/// tensors, where every value in between has no other reader and all of them are f32 tensors of
/// static shapes.
void fuse_attention(ir::Model& model);

}  // namespace tandem::passes
