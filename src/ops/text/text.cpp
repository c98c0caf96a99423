// The text family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

void register_text(Registry& registry) {}

}  // namespace tandem::ops
