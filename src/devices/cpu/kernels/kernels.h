// Factories of the optimised CPU kernels, one per file in this folder; each returns null when
// it does not apply to the node.
#pragma once

#include <memory>

#include "execution/kernel.h"

namespace tandem::cpu {

using execution::Kernel;
using execution::NodeInfo;

std::unique_ptr<Kernel> make_onednn_conv(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_matmul(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_gemm(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_pool(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_concat(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_binary(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_eltwise(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_softmax(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_layer_norm(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_transpose(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_slice(const NodeInfo& info);
std::unique_ptr<Kernel> make_pad(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_attention(const NodeInfo& info);

/// An optimised kernel for the node, or null when none applies (the reference kernel runs then).
/// Each candidate checks everything it relies on (types, static shapes, constant weights,
/// attributes) and declines otherwise.
std::unique_ptr<Kernel> select_kernel(const NodeInfo& info);

}  // namespace tandem::cpu
