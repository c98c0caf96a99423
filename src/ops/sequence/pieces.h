// Cutting tensors into pieces along an axis and gluing pieces back: shared by the sequence ops,
// Loop and Scan.
#pragma once

#include <cstdint>
#include <span>

#include "ops/node_context.h"
#include "tandem/tensor.h"
#include "tandem/value.h"

namespace tandem::ops {

/// The elements [start, start + length) of `tensor` along `axis`, the axis kept (as `length`).
Tensor slice_along(const Tensor& tensor, size_t axis, int64_t start, int64_t length);

/// Concatenation along `axis` of tensors of equal rank, element type and dimensions other than
/// `axis`; throws InvalidArgument (with the node) naming the first piece that differs.
Tensor concat_along(const NodeContext& ctx, std::span<const Tensor> pieces, size_t axis);

/// Stacking along a new axis `axis` (0..rank) of tensors of equal shape and element type.
Tensor stack_along(const NodeContext& ctx, std::span<const Tensor> pieces, size_t axis);

/// The type a runtime value has (element types and exact shapes).
ValueType type_of(const Value& value);

/// A shape covering both: equal ranks keep the dimensions they agree on, else unknown rank.
PartialShape merge_shapes(const PartialShape& a, const PartialShape& b);
/// A type covering both (for If branches and loop-carried values); `a` wins where they disagree
/// beyond shapes, and an unknown side yields the other.
ValueType merge_types(const ValueType& a, const ValueType& b);

}  // namespace tandem::ops
