// CumProd (opset 26): direction, exclusivity, axes, integer wrap-around.
#include <cstdint>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(CumProd, ExclusiveAndReverse) {
  auto run = [](int exclusive, int reverse) {
    return OpCase("CumProd", 26)
        .attr("exclusive", exclusive)
        .attr("reverse", reverse)
        .input<float>({3}, {1, 2, 3})
        .input<int64_t>({}, {0})
        .run_tensor();
  };
  expect_tensor<float>(run(0, 0), {3}, {1, 2, 6});
  expect_tensor<float>(run(1, 0), {3}, {1, 1, 2});
  expect_tensor<float>(run(0, 1), {3}, {6, 6, 3});
  expect_tensor<float>(run(1, 1), {3}, {6, 3, 1});
}

TEST(CumProd, NegativeAxisOfAMatrix) {
  auto c =
      OpCase("CumProd", 26).input<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}).input<int32_t>({}, {-2});
  expect_tensor<int32_t>(c.run_tensor(), {2, 3}, {1, 2, 3, 4, 10, 18});
}

TEST(CumProd, IntegersWrapAsTheElementType) {
  auto c = OpCase("CumProd", 26).input<int32_t>({2}, {65536, 65536}).input<int64_t>({}, {0});
  expect_tensor<int32_t>(c.run_tensor(), {2}, {65536, 0});
}

TEST(CumProd, AxisMustHoldOneValue) {
  auto c = OpCase("CumProd", 26).input<float>({2}, {1, 2}).input<int64_t>({2}, {0, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "axis must hold one value");
}

}  // namespace
}  // namespace tandem::testing
