// numpy matmul semantics shared by MatMul, MatMulInteger and QLinearMatMul: 1-D operands promoted
// and their unit dimension dropped again, batch dimensions broadcast.
#pragma once

#include <cstdint>
#include <vector>

#include "ops/node_context.h"
#include "tandem/shape.h"
#include "tandem/tensor.h"

namespace tandem::ops {

struct MatMulPlan {
  int64_t m = 0, n = 0, k = 0;
  Shape out;
  /// Per output matrix, the element offsets of its A and B matrices.
  std::vector<int64_t> a_offsets, b_offsets;
  /// Every output matrix reads the same B and consecutive A matrices: the batch folds into m.
  bool folds_into_m = false;
};

/// Throws InvalidModel when the inner dimensions differ or the batch dimensions do not broadcast.
MatMulPlan plan_matmul(const NodeContext& ctx, const Shape& a, const Shape& b);
/// The output shape from partial input shapes.
PartialShape matmul_shape(const NodeContext& ctx, const PartialShape& a, const PartialShape& b);

/// The element type two operands share (A's and B's of MatMul, Gemm, Einsum): throws InvalidModel
/// naming both when they differ. An Undefined type (an untyped subgraph input at compile time)
/// matches anything and yields the other.
ElementType common_element_type(const NodeContext& ctx, ElementType a, ElementType b,
                                const char* a_name, const char* b_name);

}  // namespace tandem::ops
