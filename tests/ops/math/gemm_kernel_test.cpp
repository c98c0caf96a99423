// The shared GEMM against a naive triple loop, on shapes around its tile edges (6 x 8 tiles,
// 256-deep k blocks, 72-row m blocks).
#include "ops/math/gemm_kernel.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace tandem::ops {
namespace {

template <class T>
void expect_matches_naive(int64_t m, int64_t n, int64_t k, bool ta, bool tb, T alpha, T beta,
                          std::mt19937& rng) {
  std::uniform_int_distribution<int> digit(-4, 4);
  std::vector<T> a(size_t(m * k)), b(size_t(k * n)), c(size_t(m * n)), want(size_t(m * n));
  for (auto& v : a) v = T(digit(rng));
  for (auto& v : b) v = T(digit(rng));
  for (auto& v : c) v = T(digit(rng));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T acc = T(0);
      for (int64_t p = 0; p < k; ++p)
        acc += (ta ? a[size_t(p * m + i)] : a[size_t(i * k + p)]) *
               (tb ? b[size_t(j * k + p)] : b[size_t(p * n + j)]);
      want[size_t(i * n + j)] = alpha * acc + beta * c[size_t(i * n + j)];
    }
  gemm<T>(ta, tb, m, n, k, alpha, a.data(), ta ? m : k, b.data(), tb ? k : n, beta, c.data(), n);
  for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], want[i]) << "at " << i;
}

struct Dims {
  int64_t m, n, k;
};
const Dims kShapes[] = {{1, 1, 1},    {5, 7, 3},     {6, 8, 256},   {7, 9, 257}, {13, 17, 5},
                        {72, 16, 10}, {73, 33, 300}, {150, 3, 513}, {2, 100, 1}};

// Small integers keep every product exact in float, so the comparison can be exact.
TEST(Gemm, FloatMatchesNaiveAtTileEdges) {
  std::mt19937 rng(17);
  for (const Dims& d : kShapes)
    for (int t = 0; t < 4; ++t) {
      SCOPED_TRACE(testing::Message() << "m=" << d.m << " n=" << d.n << " k=" << d.k << " t=" << t);
      expect_matches_naive<float>(d.m, d.n, d.k, t & 1, t & 2, 1.0f, 0.0f, rng);
      expect_matches_naive<float>(d.m, d.n, d.k, t & 1, t & 2, 2.0f, -1.0f, rng);
    }
}

TEST(Gemm, IntegerAndDoubleMatchNaive) {
  std::mt19937 rng(5);
  for (const Dims& d : kShapes) {
    expect_matches_naive<int32_t>(d.m, d.n, d.k, false, true, 1, 1, rng);
    expect_matches_naive<int64_t>(d.m, d.n, d.k, true, false, 3, 0, rng);
    expect_matches_naive<double>(d.m, d.n, d.k, true, true, 0.5, 2, rng);
  }
}

TEST(Gemm, BetaZeroIgnoresNaNInC) {
  std::vector<float> a{1, 2}, b{3, 4}, c{std::numeric_limits<float>::quiet_NaN()};
  gemm<float>(false, false, 1, 1, 2, 1.0f, a.data(), 2, b.data(), 1, 0.0f, c.data(), 1);
  EXPECT_EQ(c[0], 11.0f);
}

TEST(Gemm, EmptyInnerDimensionScalesC) {
  std::vector<float> c{1, 2};
  gemm<float>(false, false, 1, 2, 0, 1.0f, nullptr, 0, nullptr, 2, 3.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{3, 6}));
}

}  // namespace
}  // namespace tandem::ops
