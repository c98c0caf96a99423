// Factories of the optimised CPU kernels, one per file in this folder; each returns null when
// it does not apply to the node.
#pragma once

#include <memory>

#include "devices/cpu/kernel.h"

namespace tandem::cpu {

std::unique_ptr<Kernel> make_onednn_conv(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_matmul(const NodeInfo& info);
std::unique_ptr<Kernel> make_onednn_gemm(const NodeInfo& info);

}  // namespace tandem::cpu
