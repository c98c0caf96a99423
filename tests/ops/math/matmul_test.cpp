// MatMul and Gemm: 1-D operands, batch broadcasting, C broadcasting and the version differences.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(MatMul, VectorTimesMatrixDropsTheRow) {
  auto c = OpCase("MatMul", 13).input<float>({2}, {1, 2}).input<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_tensor<float>(c.run_tensor(), {3}, {9, 12, 15});
}

TEST(MatMul, MatrixTimesVectorDropsTheColumn) {
  auto c = OpCase("MatMul", 13).input<float>({2, 2}, {1, 2, 3, 4}).input<float>({2}, {1, 1});
  expect_tensor<float>(c.run_tensor(), {2}, {3, 7});
}

TEST(MatMul, VectorDotVectorIsAScalar) {
  auto c = OpCase("MatMul", 13).input<float>({3}, {1, 2, 3}).input<float>({3}, {4, 5, 6});
  expect_tensor<float>(c.run_tensor(), {}, {32});
}

TEST(MatMul, BatchDimensionsBroadcast) {
  // A [2,1,1,2] x B [3,2,1] -> [2,3,1,1].
  auto c = OpCase("MatMul", 13)
               .input<float>({2, 1, 1, 2}, {1, 0, 0, 1})
               .input<float>({3, 2, 1}, {1, 2, 3, 4, 5, 6});
  expect_tensor<float>(c.run_tensor(), {2, 3, 1, 1}, {1, 3, 5, 2, 4, 6});
}

TEST(MatMul, IntegersFromOpset9) {
  auto c = OpCase("MatMul", 9).input<int64_t>({1, 2}, {3, -4}).input<int64_t>({2, 1}, {5, 6});
  expect_tensor<int64_t>(c.run_tensor(), {1, 1}, {-9});
}

TEST(MatMul, HalfAccumulatesInFloat) {
  // 2048 ones: a float16 accumulator would stop at 2048 after adding 1s past its precision.
  std::vector<float16> ones(4097, float16(1.0f));
  auto c = OpCase("MatMul", 13).input<float16>({1, 4097}, ones).input<float16>({4097, 1}, ones);
  Tensor y = c.run_tensor();
  EXPECT_EQ(float(y.span<const float16>()[0]), 4096.0f);  // 4097 rounds to 4096 in float16
}

TEST(MatMul, InnerDimensionsMustMatch) {
  auto c = OpCase("MatMul", 13)
               .input<float>({2, 3}, std::vector<float>(6))
               .input<float>({2, 3}, std::vector<float>(6));
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "inner dimensions differ");
}

TEST(Gemm, ColumnVectorCBroadcastsAlongRows) {
  auto c = OpCase("Gemm", 13)
               .attr("beta", 2.0)
               .input<float>({2, 1}, {1, 2})
               .input<float>({1, 2}, {1, 1})
               .input<float>({2, 1}, {10, 20});
  expect_tensor<float>(c.run_tensor(), {2, 2}, {21, 21, 42, 42});
}

TEST(Gemm, TransposesAndAlpha) {
  // A^T = [[1,3],[2,4]], B^T = [[1,0],[0,1]].
  auto c = OpCase("Gemm", 13)
               .attr("transA", 1)
               .attr("transB", 1)
               .attr("alpha", 0.5)
               .input<float>({2, 2}, {1, 2, 3, 4})
               .input<float>({2, 2}, {1, 0, 0, 1});
  expect_tensor<float>(c.run_tensor(), {2, 2}, {.5f, 1.5f, 1, 2});
}

TEST(Gemm, COptionalFromOpset11Only) {
  auto c11 = OpCase("Gemm", 11).input<float>({1, 1}, {2}).input<float>({1, 1}, {3});
  expect_tensor<float>(c11.run_tensor(), {1, 1}, {6});
  auto c9 = OpCase("Gemm", 9).input<float>({1, 1}, {2}).input<float>({1, 1}, {3});
  EXPECT_THROW_KIND(c9.run(), ErrorKind::InvalidModel, "C is required");
}

TEST(Gemm, Opset6BroadcastsCOnlyWhenAsked) {
  auto no = OpCase("Gemm", 6)
                .input<float>({2, 1}, {1, 2})
                .input<float>({1, 2}, {1, 1})
                .input<float>({2}, {1, 2});
  EXPECT_THROW_KIND(no.run(), ErrorKind::InvalidModel, "broadcast is 0");
  auto yes = OpCase("Gemm", 6)
                 .attr("broadcast", 1)
                 .input<float>({2, 1}, {1, 2})
                 .input<float>({1, 2}, {1, 1})
                 .input<float>({2}, {1, 2});
  expect_tensor<float>(yes.run_tensor(), {2, 2}, {2, 3, 3, 4});
}

TEST(Gemm, CThatDoesNotBroadcastIsInvalid) {
  auto c = OpCase("Gemm", 13)
               .input<float>({2, 1}, {1, 2})
               .input<float>({1, 2}, {1, 1})
               .input<float>({3}, {1, 2, 3});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "does not broadcast");
}

}  // namespace
}  // namespace tandem::testing
