// MultiHeadAttention, tandem's internal op (domain com.tandem, version 1) that the graph passes
// make of scaled dot-product attention written out in Transpose, MatMul, scale, mask Add and
// Softmax nodes (passes/fuse_attention.cpp):
//
//   Y[b, i, h, :] = sum_j P[b, h, i, j] V[b, j, h, :],
//   P[b, h, i, :] = softmax(scale * Q[b, i, h, :] . K[b, :, h, :] + Mask[b, h, i, :])
//
// Q [B, S_q, H, D], K [B, S_kv, H, D] and V [B, S_kv, H, D_v] come in the layout the exporters'
// Reshape of the projections gives them, heads split off the hidden size but not moved before
// the sequence, so that no transposed copy of them is ever made; 3-D inputs [S, H, D] have no
// batch (torch's nn.MultiheadAttention folds its batch into the heads). Mask (optional, input 3)
// is added to the scaled scores [B, H, S_q, S_kv] ([H, S_q, S_kv]) with numpy broadcasting.
// Attribute `scale` (float, required). Y is [B, S_q, H, D_v] ([S_q, H, D_v]); every tensor has
// one floating element type.
#pragma once

#include <cstddef>

namespace tandem::ops {

inline constexpr size_t kMultiHeadAttentionMaskInput = 3;

}  // namespace tandem::ops
