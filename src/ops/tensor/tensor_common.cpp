// Helpers shared by the tensor family.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {

Tensor copy_reshaped(const Tensor& src, Shape shape) {
  if (shape_size(shape) != src.size())
    throw Error(ErrorKind::InvalidArgument,
                "cannot reshape " + to_string(src.shape()) + " to " + to_string(shape));
  return src.clone().reshaped(std::move(shape));
}

void strided_copy(const Tensor& src, int64_t base, const std::vector<int64_t>& strides, Tensor& dst) {
  visit_storage(src.element_type(), [&]<class S>() {
    strided_copy(storage<S>(src), base, strides, dst.shape(), storage<S>(dst));
  });
}

namespace {
bool is_index_type(ElementType t) {
  switch (t) {
    case ElementType::I8:
    case ElementType::I16:
    case ElementType::I32:
    case ElementType::I64:
    case ElementType::U8:
    case ElementType::U16:
    case ElementType::U32:
    case ElementType::U64: return true;
    default: return false;
  }
}
}  // namespace

std::optional<std::vector<int64_t>> known_ints(const InferContext& ctx, size_t i) {
  const Tensor* t = ctx.input_tensor(i);
  if (!t) return std::nullopt;
  if (!is_index_type(t->element_type()))
    throw ctx.error(ErrorKind::InvalidModel, "input {} must be an integer tensor, got {}", i,
                    to_string(t->element_type()));
  return t->to_int64();
}

std::vector<int64_t> input_ints(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (!is_index_type(t.element_type()))
    throw ctx.error(ErrorKind::InvalidModel, "input {} must be an integer tensor, got {}", i,
                    to_string(t.element_type()));
  return t.to_int64();
}

void check_index_type(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return;
  ElementType t = ctx.input_type(i);
  if (t != ElementType::Undefined && !is_index_type(t))
    throw ctx.error(ErrorKind::InvalidModel, "input {} must be an integer tensor, got {}", i, to_string(t));
}

int64_t checked_index(const NodeContext& ctx, int64_t index, int64_t dim) {
  if (index < -dim || index >= dim)
    throw ctx.error(ErrorKind::InvalidArgument, "index {} is out of range for a dim of size {}", index, dim);
  return index < 0 ? index + dim : index;
}

std::optional<Shape> static_shape(const PartialShape& shape) {
  if (!shape.is_static()) return std::nullopt;
  return shape.to_shape();
}

}  // namespace tandem::ops
