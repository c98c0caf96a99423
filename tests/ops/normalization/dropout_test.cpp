// Dropout: identity at inference in every version; the mask's type changes at opset 10.
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Dropout, Opset7MaskHasTheInputType) {
  auto c = OpCase("Dropout", 7).attr("ratio", 0.5).input<float>({2}, {1, 2}).outputs(2);
  auto out = c.run();
  expect_tensor<float>(out[0].tensor(), {2}, {1, 2});
  expect_tensor<float>(out[1].tensor(), {2}, {1, 1});
}

TEST(Dropout, Opset6IsTheIdentityEvenWithoutIsTest) {
  auto c = OpCase("Dropout", 6).input<float>({3}, {1, 2, 3});
  expect_tensor<float>(c.run_tensor(), {3}, {1, 2, 3});
}

TEST(Dropout, TrainingWithSeedIsReproducibleAndScalesKeptValues) {
  auto make = [] {
    return OpCase("Dropout", 13)
        .attr("seed", 7)
        .input<float>({6}, {1, 1, 1, 1, 1, 1})
        .input<float>({}, {0.5f})
        .input<bool>({}, {true})
        .outputs(2);
  };
  auto a = make().run(), b = make().run();
  auto y = a[0].tensor().span<const float>();
  auto mask = a[1].tensor().span<const bool>();
  for (size_t i = 0; i < y.size(); ++i) {
    EXPECT_EQ(y[i], mask[i] ? 2.0f : 0.0f) << "at " << i;
    EXPECT_EQ(y[i], b[0].tensor().span<const float>()[i]) << "at " << i;
  }
}

TEST(Dropout, RatioOneInTrainingIsAnError) {
  auto c =
      OpCase("Dropout", 13).input<float>({1}, {1}).input<float>({}, {1.0f}).input<bool>({}, {true});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "ratio must be in [0, 1)");
}

TEST(Dropout, Opset22TakesFloat8) {
  const std::vector<float8_e4m3fn> x = {float8_e4m3fn(1.5f), float8_e4m3fn(-3.0f)};
  auto identity = OpCase("Dropout", 22).input<float8_e4m3fn>({2}, x);
  EXPECT_EQ(identity.run_tensor().to_double(), (std::vector<double>{1.5, -3}));
  auto training = OpCase("Dropout", 22)
                      .attr("seed", 3)
                      .input<float8_e4m3fn>({2}, x)
                      .input<float8_e4m3fn>({}, {float8_e4m3fn(0.5f)})
                      .input<bool>({}, {true})
                      .outputs(2)
                      .run();
  const auto y = training[0].tensor().to_double();
  const auto mask = training[1].tensor().span<const bool>();
  EXPECT_EQ(y[0], mask[0] ? 3.0 : 0.0);
  EXPECT_EQ(y[1], mask[1] ? -6.0 : 0.0);
}

}  // namespace
}  // namespace tandem::testing
