// Einsum: implicit outputs, ellipsis broadcasting, diagonals and malformed equations.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Einsum, ImplicitOutputIsSortedSingleLabels) {
  // "ji,jk" sums j and outputs "ik": A^T B.
  auto c = OpCase("Einsum", 12)
               .attr("equation", "ji,jk")
               .input<float>({2, 2}, {1, 2, 3, 4})
               .input<float>({2, 1}, {1, 1});
  expect_tensor<float>(c.run_tensor(), {2, 1}, {4, 6});
}

TEST(Einsum, TraceAndDiagonal) {
  auto trace = OpCase("Einsum", 12).attr("equation", "ii").input<float>({2, 2}, {1, 2, 3, 4});
  expect_tensor<float>(trace.run_tensor(), {}, {5});
  auto diag = OpCase("Einsum", 12).attr("equation", "ii->i").input<float>({2, 2}, {1, 2, 3, 4});
  expect_tensor<float>(diag.run_tensor(), {2}, {1, 4});
}

TEST(Einsum, EllipsisBroadcastsLikeNumpy) {
  // [2,1,2] and [1,2,1]: the batch dims broadcast to [2], the output is [2,1,1].
  auto c = OpCase("Einsum", 12)
               .attr("equation", "...ij,...jk->...ik")
               .input<float>({2, 1, 2}, {1, 2, 3, 4})
               .input<float>({1, 2, 1}, {1, 10});
  expect_tensor<float>(c.run_tensor(), {2, 1, 1}, {21, 43});
}

TEST(Einsum, OuterProductOfThreeOperands) {
  auto c = OpCase("Einsum", 12)
               .attr("equation", "i,j,k->ijk")
               .input<int32_t>({2}, {1, 2})
               .input<int32_t>({1}, {3})
               .input<int32_t>({2}, {1, -1});
  expect_tensor<int32_t>(c.run_tensor(), {2, 1, 2}, {3, -3, 6, -6});
}

TEST(Einsum, LabelCountMustMatchRank) {
  auto c = OpCase("Einsum", 12).attr("equation", "ijk->i").input<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "labels for an operand of rank 2");
}

TEST(Einsum, OutputLabelMustAppearInAnInput) {
  auto c = OpCase("Einsum", 12).attr("equation", "ij->iz").input<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "appears in no input");
}

}  // namespace
}  // namespace tandem::testing
