// The ml family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

void register_ml(Registry& registry) {}

}  // namespace tandem::ops
