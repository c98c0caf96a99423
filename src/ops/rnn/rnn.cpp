// The rnn family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& gru_op();
const OpDef& lstm_op();
const OpDef& rnn_op();

void register_rnn(Registry& registry) {
  registry.add(gru_op());
  registry.add(lstm_op());
  registry.add(rnn_op());
}

}  // namespace tandem::ops
