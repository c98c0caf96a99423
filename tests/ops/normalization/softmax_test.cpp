// Softmax, LogSoftmax, Hardmax: the opset 13 change from 2-D coercion to one axis.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// [[[0, 1], [2, 3]]] with axis 1: opset 11 normalises all four values together, opset 13 each
// column of the 2x2 block on its own.
TEST(Softmax, Opset11CoercesTheTailTo2D) {
  auto c = OpCase("Softmax", 11).attr("axis", 1).input<float>({1, 2, 2}, {0, 1, 2, 3});
  const double sum = 1 + std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  expect_tensor<float>(c.run_tensor(), {1, 2, 2},
                       {float(1 / sum), float(std::exp(1.0) / sum), float(std::exp(2.0) / sum),
                        float(std::exp(3.0) / sum)});
}

TEST(Softmax, Opset13WorksAlongOneAxis) {
  auto c = OpCase("Softmax", 13).attr("axis", 1).input<float>({1, 2, 2}, {0, 1, 2, 3});
  const float lo = float(1 / (1 + std::exp(2.0))), hi = 1 - lo;
  expect_tensor<float>(c.run_tensor(), {1, 2, 2}, {lo, lo, hi, hi});
}

TEST(Softmax, DefaultAxisIsOneBefore13AndLastFrom13) {
  // Rank 2: both defaults name the last axis. Rank 3 tells them apart.
  auto old = OpCase("Softmax", 1).input<float>({2, 1, 2}, {0, 0, 5, 5});
  expect_tensor<float>(old.run_tensor(), {2, 1, 2}, {.5f, .5f, .5f, .5f});
  auto now = OpCase("Softmax", 13).input<float>({2, 2, 1}, {0, 5, 1, 1});
  expect_tensor<float>(now.run_tensor(), {2, 2, 1}, {1, 1, 1, 1});
}

TEST(LogSoftmax, LargeValuesStayFinite) {
  auto c = OpCase("LogSoftmax", 13).input<float>({2}, {1000, 1000});
  expect_tensor<float>(c.run_tensor(), {2}, {-std::log(2.0f), -std::log(2.0f)});
}

TEST(Hardmax, TiesPickTheFirst) {
  auto c = OpCase("Hardmax", 13).input<float>({2, 3}, {1, 3, 3, 2, 2, 2});
  expect_tensor<float>(c.run_tensor(), {2, 3}, {0, 1, 0, 1, 0, 0});
}

TEST(Hardmax, Opset11PicksOneAcrossTheCoercedRow) {
  auto c = OpCase("Hardmax", 11).attr("axis", 1).input<float>({1, 2, 2}, {0, 4, 3, 1});
  expect_tensor<float>(c.run_tensor(), {1, 2, 2}, {0, 1, 0, 0});
}

TEST(Softmax, AxisOutOfRangeIsInvalidModel) {
  auto c = OpCase("Softmax", 13).attr("axis", 2).input<float>({2, 2}, {0, 0, 0, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "axis 2 is out of range");
}

}  // namespace
}  // namespace tandem::testing
