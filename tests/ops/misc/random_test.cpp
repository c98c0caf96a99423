// The random generators: seeded streams equal numpy's RandomState (hence ONNX's reference),
// repeat from run to run, and outputs have the declared shapes and types.
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Random, SeededUniformIsNumpysRandomState) {
  // numpy.random.RandomState(5).rand(4), scaled to [-1, 3).
  auto c = OpCase("RandomUniform", 1)
               .attr("shape", std::vector<int64_t>{2, 2})
               .attr("seed", 5.0)
               .attr("low", -1.0)
               .attr("high", 3.0)
               .attr("dtype", 11);
  const std::vector<double> u{0.22199317108973948, 0.8707323061773764, 0.20671915533942642,
                              0.9186109079379216};
  std::vector<double> expected;
  for (double v : u) expected.push_back(-1 + 4 * v);
  expect_tensor<double>(c.run_tensor(), {2, 2}, expected, 1e-12);
}

TEST(Random, SeededNormalIsNumpysRandomState) {
  // numpy.random.RandomState(5).randn(5) * 2 + 1.
  auto c = OpCase("RandomNormalLike", 1)
               .attr("seed", 5.0)
               .attr("mean", 1.0)
               .attr("scale", 2.0)
               .attr("dtype", 11)
               .input<int32_t>({5}, {0, 0, 0, 0, 0});
  const std::vector<double> n{0.44122748688504143, -0.33087015189408764, 2.43077118700778,
                              -0.2520921296030769, 0.10960984157818278};
  std::vector<double> expected;
  for (double v : n) expected.push_back(1 + 2 * v);
  expect_tensor<double>(c.run_tensor(), {5}, expected, 1e-12);
}

TEST(Random, SeededBernoulliIsNumpysBinomial) {
  // numpy.random.RandomState(3).binomial(1, p).
  auto c = OpCase("Bernoulli", 15)
               .attr("seed", 3.0)
               .attr("dtype", 7)
               .input<double>({8}, {0.1, 0.9, 0.5, 0.0, 1.0, 0.3, 0.7, 0.2});
  expect_tensor<int64_t>(c.run_tensor(), {8}, {0, 1, 0, 0, 1, 1, 1, 0});
}

TEST(Random, SeededRunsRepeatAndUnseededOnesDiffer) {
  auto seeded = OpCase("RandomNormal", 1).attr("shape", std::vector<int64_t>{64}).attr("seed", 1.0);
  Tensor a = seeded.run_tensor(), b = seeded.run_tensor();
  for (int64_t i = 0; i < 64; ++i) EXPECT_EQ(a.span<const float>()[i], b.span<const float>()[i]);
  auto unseeded = OpCase("RandomUniform", 1).attr("shape", std::vector<int64_t>{64});
  Tensor c = unseeded.run_tensor(), d = unseeded.run_tensor();
  int same = 0;
  for (int64_t i = 0; i < 64; ++i) same += c.span<const float>()[i] == d.span<const float>()[i];
  EXPECT_LT(same, 64);
  for (float v : c.span<const float>()) EXPECT_TRUE(v >= 0 && v < 1) << v;
}

TEST(Random, LikeOpsTakeTheInputShapeAndFloatType) {
  auto like = OpCase("RandomUniformLike", 1).input<double>({2, 3}, {0, 0, 0, 0, 0, 0});
  Tensor y = like.run_tensor();
  EXPECT_EQ(y.element_type(), ElementType::F64);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  auto ints = OpCase("RandomNormalLike", 1).input<int64_t>({2}, {0, 0});
  EXPECT_THROW_KIND(ints.run(), ErrorKind::InvalidModel, "set the dtype attribute");
}

TEST(Random, MultinomialSamplesOnlyPossibleClasses) {
  // Class 1 holds all the mass in row 0, class 2 in row 1 (exp(-inf) = 0).
  const float inf = std::numeric_limits<float>::infinity();
  auto c = OpCase("Multinomial", 7)
               .attr("sample_size", 5)
               .attr("dtype", 7)
               .attr("seed", 2.0)
               .input<float>({2, 3}, {-inf, 0, -inf, -inf, -inf, 3});
  expect_tensor<int64_t>(c.run_tensor(), {2, 5}, {1, 1, 1, 1, 1, 2, 2, 2, 2, 2});
}

TEST(Random, BernoulliRejectsProbabilitiesOutsideTheUnitInterval) {
  auto c = OpCase("Bernoulli", 15).input<float>({2}, {0.5f, 1.5f});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "outside [0, 1]");
  auto b = OpCase("Bernoulli", 15).attr("dtype", 9).input<float>({3}, {0, 1, 1});
  expect_tensor<bool>(b.run_tensor(), {3}, {false, true, true});
}

}  // namespace
}  // namespace tandem::testing
