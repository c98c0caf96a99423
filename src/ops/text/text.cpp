// The text family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& image_decoder_op();
const OpDef& regex_full_match_op();
const OpDef& string_concat_op();
const OpDef& string_split_op();

void register_text(Registry& registry) {
  registry.add(image_decoder_op());
  registry.add(regex_full_match_op());
  registry.add(string_concat_op());
  registry.add(string_split_op());
}

}  // namespace tandem::ops
