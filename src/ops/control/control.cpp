// The control family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& if_op();
const OpDef& loop_op();
const OpDef& scan_op();

void register_control(Registry& registry) {
  registry.add(if_op());
  registry.add(loop_op());
  registry.add(scan_op());
}

}  // namespace tandem::ops
