// The graph passes a model goes through before a device compiles it.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ir/graph.h"

namespace tandem::passes {

/// Runs every pass in order on a copy of `model`'s main graph (the model itself is shared and
/// stays as it is; weights are shared, not copied).
std::shared_ptr<const ir::Model> optimize(std::shared_ptr<const ir::Model> model);

/// A copy of `model` with its convolutions and pools laid out channels-last (to_channels_last),
/// for a device whose kernels prefer that.
std::shared_ptr<const ir::Model> channels_last(std::shared_ptr<const ir::Model> model);

/// The nodes of `before` that a pass merged away, each with the node of `after` that now computes
/// its result (a fused Relu → the FusedConv that took it in). Nodes are matched by name.
std::map<std::string, std::string> absorbed_nodes(const ir::Graph& before, const ir::Graph& after);

}  // namespace tandem::passes
