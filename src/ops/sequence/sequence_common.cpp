// Helpers of the sequence ops.
#include "ops/sequence/sequence_common.h"

#include "ops/sequence/pieces.h"

namespace tandem::ops {

const Value& sequence_input(const KernelContext& ctx, size_t i) {
  const Value& v = ctx.value(i);
  if (!v.is_sequence())
    throw ctx.error(ErrorKind::InvalidArgument, "input {} must be a sequence, got {}", i,
                    to_string(type_of(v)));
  return v;
}

int64_t read_position(const KernelContext& ctx, size_t index, size_t count, bool allow_end) {
  const Tensor& t = ctx.input(index);
  if (t.element_type() != ElementType::I32 && t.element_type() != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidArgument, "position must be int32 or int64, got {}", describe(t));
  if (t.size() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "position must be a scalar, got {}", describe(t));
  const int64_t n = int64_t(count);
  const int64_t position = t.scalar<int64_t>();
  const int64_t last = allow_end ? n : n - 1;
  if (position < -n || position > last)
    throw ctx.error(ErrorKind::InvalidArgument, "position {} is outside [{}, {}] for a sequence of {}",
                    position, -n, last, n);
  return position < 0 ? position + n : position;
}

ValueType known_input_type(const InferContext& ctx, size_t i) {
  ValueType type = ctx.input(i);
  if (type.kind == ValueType::Kind::Unknown)
    if (const Value* v = ctx.input_value(i)) type = type_of(*v);
  if (type.kind == ValueType::Kind::Optional && type.element) return *type.element;
  return type;
}

ValueType sequence_element(const ValueType& sequence) {
  if (sequence.kind == ValueType::Kind::Sequence && sequence.element) return *sequence.element;
  return ValueType::tensor(ElementType::Undefined, PartialShape());
}

}  // namespace tandem::ops
