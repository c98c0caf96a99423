// Slicing, concatenating and stacking tensors of any element type (strings included).
#include "ops/sequence/pieces.h"

#include <cstring>
#include <string>

namespace tandem::ops {
namespace {

// Copies count elements; strings are assigned, everything else is copied as bytes.
void copy_elements(const Tensor& src, int64_t src_offset, Tensor& dst, int64_t dst_offset, int64_t count) {
  if (count <= 0) return;
  if (src.element_type() == ElementType::String) {
    const std::string* s = src.data<std::string>() + src_offset;
    std::string* d = dst.data<std::string>() + dst_offset;
    for (int64_t i = 0; i < count; ++i) d[i] = s[i];
    return;
  }
  const size_t size = element_size(src.element_type());
  std::memcpy(static_cast<std::byte*>(dst.data()) + size_t(dst_offset) * size,
              static_cast<const std::byte*>(src.data()) + size_t(src_offset) * size, size_t(count) * size);
}

int64_t product(const Shape& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i) n *= shape[i];
  return n;
}

}  // namespace

Tensor slice_along(const Tensor& tensor, size_t axis, int64_t start, int64_t length) {
  const Shape& shape = tensor.shape();
  Shape out_shape = shape;
  out_shape[axis] = length;
  Tensor out(tensor.element_type(), out_shape);
  const int64_t outer = product(shape, 0, axis), inner = product(shape, axis + 1, shape.size());
  for (int64_t o = 0; o < outer; ++o)
    copy_elements(tensor, (o * shape[axis] + start) * inner, out, o * length * inner, length * inner);
  return out;
}

Tensor concat_along(const NodeContext& ctx, std::span<const Tensor> pieces, size_t axis) {
  if (pieces.empty()) throw ctx.error(ErrorKind::InvalidArgument, "nothing to concatenate");
  const Tensor& first = pieces[0];
  if (axis >= first.rank())
    throw ctx.error(ErrorKind::InvalidArgument, "axis {} is outside the rank of {}", axis, describe(first));
  Shape out_shape = first.shape();
  out_shape[axis] = 0;
  for (const Tensor& p : pieces) {
    bool fits = p.element_type() == first.element_type() && p.rank() == first.rank();
    for (size_t d = 0; fits && d < p.rank(); ++d) fits = d == axis || p.shape()[d] == first.shape()[d];
    if (!fits)
      throw ctx.error(ErrorKind::InvalidArgument, "cannot concatenate {} with {} along axis {}",
                      describe(first), describe(p), axis);
    out_shape[axis] += p.shape()[axis];
  }
  Tensor out(first.element_type(), out_shape);
  const int64_t outer = product(out_shape, 0, axis), inner = product(out_shape, axis + 1, out_shape.size());
  const int64_t out_row = out_shape[axis] * inner;
  int64_t offset = 0;  // along the axis, in elements of one outer row
  for (const Tensor& p : pieces) {
    const int64_t row = p.shape()[axis] * inner;
    for (int64_t o = 0; o < outer; ++o) copy_elements(p, o * row, out, o * out_row + offset, row);
    offset += row;
  }
  return out;
}

Tensor stack_along(const NodeContext& ctx, std::span<const Tensor> pieces, size_t axis) {
  std::vector<Tensor> unsqueezed;
  unsqueezed.reserve(pieces.size());
  for (const Tensor& p : pieces) {
    if (p.shape() != pieces[0].shape() || p.element_type() != pieces[0].element_type())
      throw ctx.error(ErrorKind::InvalidArgument, "cannot stack {} with {}", describe(pieces[0]),
                      describe(p));
    if (axis > p.rank())
      throw ctx.error(ErrorKind::InvalidArgument, "axis {} is outside [0, {}]", axis, p.rank());
    Shape s = p.shape();
    s.insert(s.begin() + ptrdiff_t(axis), 1);
    unsqueezed.push_back(p.reshaped(std::move(s)));
  }
  return concat_along(ctx, unsqueezed, axis);
}

ValueType type_of(const Value& value) {
  if (value.is_tensor()) return ValueType::tensor(value.tensor().element_type(), value.tensor().shape());
  if (value.is_sequence()) {
    PartialShape shape;
    const auto& items = value.items();
    if (!items.empty()) {
      shape = PartialShape(items[0].shape());
      for (const Tensor& t : items) shape = merge_shapes(shape, PartialShape(t.shape()));
    }
    return ValueType::sequence_of(ValueType::tensor(value.sequence_element_type(), shape));
  }
  return ValueType::optional_of(ValueType{});
}

PartialShape merge_shapes(const PartialShape& a, const PartialShape& b) {
  if (!a.rank_known() || !b.rank_known() || a.rank() != b.rank()) return PartialShape();
  std::vector<Dimension> dims(a.rank());
  for (size_t i = 0; i < a.rank(); ++i)
    if (a[i] == b[i]) dims[i] = a[i];
  return PartialShape(std::move(dims));
}

ValueType merge_types(const ValueType& a, const ValueType& b) {
  if (a.kind == ValueType::Kind::Unknown) return b;
  if (b.kind == ValueType::Kind::Unknown || a.kind != b.kind) return a;
  ValueType out = a;
  if (out.element_type == ElementType::Undefined) out.element_type = b.element_type;
  if (a.kind == ValueType::Kind::Tensor) out.shape = merge_shapes(a.shape, b.shape);
  if (a.element && b.element) out.element = std::make_shared<ValueType>(merge_types(*a.element, *b.element));
  return out;
}

}  // namespace tandem::ops
