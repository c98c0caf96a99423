// What the sequence ops share: reading sequence inputs and positions, element types.
#pragma once

#include <cstdint>

#include "ops/infer_context.h"
#include "ops/kernel_context.h"

namespace tandem::ops {

/// Input i as a sequence; throws InvalidArgument when it is something else.
const Value& sequence_input(const KernelContext& ctx, size_t i);

/// The position held by input `index` (a scalar int32/int64), negative counting from the end,
/// checked against a sequence of `count` items: [-count, count - 1], or [-count, count] when
/// `allow_end` (an insertion may append). Returns it in [0, count].
int64_t read_position(const KernelContext& ctx, size_t index, size_t count, bool allow_end);

/// Input i's declared type, or the type of its value when the declaration says nothing; an
/// optional is seen through to what it holds.
ValueType known_input_type(const InferContext& ctx, size_t i);

/// The element type of a sequence type (an unknown tensor when it says nothing).
ValueType sequence_element(const ValueType& sequence);

}  // namespace tandem::ops
