// The sequence family: every op of it, one line each.
#include "ops/registry.h"

namespace tandem::ops {

const OpDef& concat_from_sequence_op();
const OpDef& optional_get_element_op();
const OpDef& optional_has_element_op();
const OpDef& optional_op();
const OpDef& sequence_at_op();
const OpDef& sequence_construct_op();
const OpDef& sequence_empty_op();
const OpDef& sequence_erase_op();
const OpDef& sequence_insert_op();
const OpDef& sequence_length_op();
const OpDef& sequence_map_op();
const OpDef& split_to_sequence_op();

void register_sequence(Registry& registry) {
  registry.add(concat_from_sequence_op());
  registry.add(optional_get_element_op());
  registry.add(optional_has_element_op());
  registry.add(optional_op());
  registry.add(sequence_at_op());
  registry.add(sequence_construct_op());
  registry.add(sequence_empty_op());
  registry.add(sequence_erase_op());
  registry.add(sequence_insert_op());
  registry.add(sequence_length_op());
  registry.add(sequence_map_op());
  registry.add(split_to_sequence_op());
}

}  // namespace tandem::ops
