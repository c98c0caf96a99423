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

}  // namespace
}  // namespace tandem::testing
