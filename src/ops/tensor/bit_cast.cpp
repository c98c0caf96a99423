// BitCast (opset 26): the same bits read as another element type of the same width.
#include <cstring>

#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Bits per element as ONNX counts them: 4 for int4, 2 for int2, … (narrow types sit in the low
// bits of one byte in memory); 0 for strings and unknown types, which cannot be bitcast.
int bit_width(ElementType type) {
  if (type == ElementType::String) return 0;
  if (is_narrow(type)) return packed_bits(type);
  return int(element_size(type)) * 8;
}

ElementType target_type(const NodeContext& ctx, ElementType from) {
  const int64_t to = ctx.attr<int64_t>("to");
  const auto type = ElementType(to);
  if (to <= 0 || to > int64_t(ElementType::F6E3M2) || bit_width(type) == 0)
    throw ctx.error(ErrorKind::InvalidModel, "'to' {} is not a type BitCast can produce", to);
  if (from != ElementType::Undefined && bit_width(from) != bit_width(type))
    throw ctx.error(ErrorKind::InvalidModel, "{} ({} bits) cannot be bitcast to {} ({} bits)",
                    to_string(from), bit_width(from), to_string(type), bit_width(type));
  return type;
}

void infer(InferContext& ctx) {
  ctx.set_output(0, target_type(ctx, ctx.input_type(0)), ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const ElementType type = target_type(ctx, x.element_type());
  Tensor& y = ctx.allocate_output(0, type, x.shape());
  if (x.size() == 0) return;
  // Narrow types of one width share the in-memory layout (low bits of a byte, the rest zero);
  // every other pair of equal width has equal element sizes. So the bytes copy as they are.
  std::memcpy(y.data(), x.data(), y.byte_size());
  if (type != ElementType::Bool) return;
  // A bool byte other than 0 or 1 is no bool in C++: refuse rather than hand one on.
  const auto* bytes = static_cast<const uint8_t*>(x.data());
  for (int64_t i = 0; i < x.size(); ++i)
    if (bytes[i] > 1)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "element {} (byte {:#04x}) is not a bool's bit pattern", i, bytes[i]);
}
}  // namespace

const OpDef& bit_cast_op() {
  static const OpDef def{
      .name = "BitCast", .versions = {26}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
