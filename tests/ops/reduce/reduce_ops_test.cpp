// The Reduce* ops: versions of the axes, empty reductions, integer types.
#include <cmath>
#include <limits>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(ReduceSum, Opset11TakesAxesFromTheAttribute) {
  auto c = OpCase("ReduceSum", 11)
               .attr("axes", std::vector<int64_t>{-1})
               .attr("keepdims", 0)
               .input<float>({2, 2}, {1, 2, 3, 4});
  expect_tensor<float>(c.run_tensor(), {2}, {3, 7});
}

TEST(ReduceSum, Opset13TakesAxesFromTheInput) {
  auto c = OpCase("ReduceSum", 13).input<float>({2, 2}, {1, 2, 3, 4}).input<int64_t>({1}, {0});
  expect_tensor<float>(c.run_tensor(), {1, 2}, {4, 6});
}

TEST(ReduceSum, NoAxesReducesEverythingUnlessNoop) {
  auto all = OpCase("ReduceSum", 13).attr("keepdims", 0).input<float>({2, 2}, {1, 2, 3, 4});
  expect_tensor<float>(all.run_tensor(), {}, {10});
  auto noop = OpCase("ReduceSum", 13)
                  .attr("noop_with_empty_axes", 1)
                  .input<float>({2, 2}, {1, 2, 3, 4})
                  .input<int64_t>({0}, {});
  expect_tensor<float>(noop.run_tensor(), {2, 2}, {1, 2, 3, 4});
}

TEST(Reduce, EmptyReductionsGiveTheIdentityElement) {
  const float inf = std::numeric_limits<float>::infinity();
  auto run = [](const char* op) {
    return OpCase(op, 13)
        .attr("axes", std::vector<int64_t>{1})
        .input<float>({2, 0}, {})
        .run_tensor();
  };
  expect_tensor<float>(run("ReduceProd"), {2, 1}, {1, 1});
  expect_tensor<float>(run("ReduceL2"), {2, 1}, {0, 0});
  // expect_tensor's tolerance cannot compare infinities.
  for (auto [op, value] :
       {std::pair{"ReduceMax", -inf}, {"ReduceMin", inf}, {"ReduceLogSumExp", -inf}}) {
    Tensor y = run(op);
    ASSERT_EQ(y.shape(), (Shape{2, 1})) << op;
    for (float v : y.span<const float>()) EXPECT_EQ(v, value) << op;
  }
}

TEST(ReduceMean, IntegersTruncate) {
  auto c = OpCase("ReduceMean", 13).attr("keepdims", 0).input<int32_t>({3}, {1, 2, 2});
  expect_tensor<int32_t>(c.run_tensor(), {}, {1});
}

TEST(ReduceMax, Opset12TakesInt8) {
  auto c = OpCase("ReduceMax", 12)
               .attr("axes", std::vector<int64_t>{0})
               .input<int8_t>({3}, {-5, 7, -128});
  expect_tensor<int8_t>(c.run_tensor(), {1}, {7});
}

TEST(ReduceLogSumExp, LargeValuesStayFinite) {
  auto c = OpCase("ReduceLogSumExp", 13).attr("keepdims", 0).input<double>({2}, {1000, 1000});
  expect_tensor<double>(c.run_tensor(), {}, {1000 + std::log(2.0)}, 1e-9);
}

TEST(Reduce, AxisOutOfRangeIsInvalidModel) {
  auto c = OpCase("ReduceMin", 13).attr("axes", std::vector<int64_t>{2}).input<float>({2}, {1, 2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "axis 2 is out of range");
}

TEST(ReduceMean, Opset17TakesAxesFromTheAttribute) {
  auto c = OpCase("ReduceMean", 17)
               .attr("axes", std::vector<int64_t>{1})
               .attr("keepdims", 0)
               .input<float>({2, 2}, {1, 2, 3, 4});
  expect_tensor<float>(c.run_tensor(), {2}, {1.5f, 3.5f});
}

TEST(ReduceMean, Opset18TakesAxesFromTheInput) {
  auto c = OpCase("ReduceMean", 18)
               .attr("keepdims", 0)
               .input<float>({2, 2}, {1, 2, 3, 4})
               .input<int64_t>({1}, {-2});
  expect_tensor<float>(c.run_tensor(), {2}, {2, 3});
}

TEST(ReduceL2, NoopWithEmptyAxesStillAppliesTheElementwiseSteps) {
  // onnx 1.23: reducing over no axes skips only the reduction; L2 of one element is |x|.
  auto c = OpCase("ReduceL2", 18)
               .attr("noop_with_empty_axes", 1)
               .input<float>({2}, {3, -4})
               .input<int64_t>({0}, {});
  expect_tensor<float>(c.run_tensor(), {2}, {3, 4});
  auto square =
      OpCase("ReduceSumSquare", 18).attr("noop_with_empty_axes", 1).input<float>({2}, {3, -4});
  expect_tensor<float>(square.run_tensor(), {2}, {9, 16});
  auto all = OpCase("ReduceL2", 18).attr("keepdims", 0).input<float>({2}, {3, -4});
  expect_tensor<float>(all.run_tensor(), {}, {5});
}

TEST(ReduceMax, Opset20TakesBool) {
  auto max = OpCase("ReduceMax", 20)
                 .attr("keepdims", 0)
                 .input<bool>({2, 2}, {false, true, false, false})
                 .input<int64_t>({1}, {1});
  expect_tensor<bool>(max.run_tensor(), {2}, {true, false});
  auto min = OpCase("ReduceMin", 20)
                 .attr("keepdims", 0)
                 .input<bool>({2, 2}, {true, true, false, true})
                 .input<int64_t>({1}, {1});
  expect_tensor<bool>(min.run_tensor(), {2}, {true, false});
}

TEST(ReduceMax, EmptyBoolReductionIsFalse) {
  auto c = OpCase("ReduceMax", 20).attr("keepdims", 0).input<bool>({0}, {});
  expect_tensor<bool>(c.run_tensor(), {}, {false});
}

TEST(ReduceMax, BoolBeforeOpset20IsInvalid) {
  auto c = OpCase("ReduceMax", 18).input<bool>({2}, {true, false});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "bool input needs opset 20");
}

TEST(ReduceLogSum, Opset28RejectsIntegers) {
  auto old = OpCase("ReduceLogSum", 18).attr("keepdims", 0).input<int32_t>({2}, {3, 4});
  expect_tensor<int32_t>(old.run_tensor(), {}, {1});  // log(7), truncated
  auto c = OpCase("ReduceLogSum", 28).input<int32_t>({2}, {3, 4});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "floating type from opset 28");
}

}  // namespace
}  // namespace tandem::testing
