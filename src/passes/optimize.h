// The graph passes a model goes through before a device compiles it.
#pragma once

#include <memory>

#include "ir/graph.h"

namespace tandem::passes {

/// Runs every pass in order on a copy of `model`'s main graph (the model itself is shared and
/// stays as it is; weights are shared, not copied).
std::shared_ptr<const ir::Model> optimize(std::shared_ptr<const ir::Model> model);

}  // namespace tandem::passes
