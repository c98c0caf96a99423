// A maker's check that its family's judge (support/op_support.h) accepts the node as the compiler
// sees it, for the makers that rely on the judge's checks instead of repeating them.
#pragma once

#include <optional>
#include <string_view>

#include "devices/gpu/cuda/gpu_kernel.h"
#include "devices/gpu/support/op_support.h"

namespace tandem::gpu {

using Judge = std::optional<devices::Support> (*)(const execution::NodeInfo&);

/// Throws Unsupported "GPU: node '<name>' (<op>): <reason>" unless `judge` accepts the node;
/// `other_op` is the reason where the judge answers that the op is not its family's.
void require_judged(const GpuNode& node, Judge judge, std::string_view other_op);

}  // namespace tandem::gpu
