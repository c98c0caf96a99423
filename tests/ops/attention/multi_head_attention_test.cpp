// MultiHeadAttention (com.tandem): hand-computed cases of its layout, scale and mask, and bad
// input. Inputs are f64 where the case is for the reference kernel (the CPU's oneDNN kernel takes
// f32).
#include <cmath>
#include <limits>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

OpCase attention(float scale) {
  return OpCase("MultiHeadAttention", 1, "com.tandem").attr("scale", scale);
}

// One head, one query, two keys: Q=[1], K=[0,1], V=[10,20], scale 2 gives weights [1, e^2] / (1 +
// e^2).
TEST(MultiHeadAttention, WeighsValuesBySoftmaxOfScaledScores) {
  const double e2 = std::exp(2.0);
  const double want = (10 + 20 * e2) / (1 + e2);
  for (bool reference : {true, false}) {
    SCOPED_TRACE(reference ? "f64" : "f32");
    auto c = attention(2.0f);
    if (reference)
      c.input<double>({1, 1, 1, 1}, {1})
          .input<double>({1, 2, 1, 1}, {0, 1})
          .input<double>({1, 2, 1, 1}, {10, 20});
    else
      c.input<float>({1, 1, 1, 1}, {1})
          .input<float>({1, 2, 1, 1}, {0, 1})
          .input<float>({1, 2, 1, 1}, {10, 20});
    const Tensor y = c.run_tensor();
    ASSERT_EQ(y.shape(), (Shape{1, 1, 1, 1}));
    EXPECT_NEAR(y.to_double()[0], want, 1e-5 * want);
  }
}

// Heads sit beside each other in the last two axes, [B, S, H, D], and attend separately: head 0's
// keys are equal (an average), head 1's query picks its second key. V's head size (1) differs
// from Q's and K's (2).
TEST(MultiHeadAttention, HeadsAttendSeparatelyInTheirOwnColumns) {
  const double inf = std::numeric_limits<double>::infinity();
  auto c = attention(1.0f)
               .input<double>({1, 1, 2, 2}, {0, 0, /*head 1*/ 0, 1})
               .input<double>({1, 2, 2, 2}, {1, 1, 0, -inf, /*key 1*/ 1, 1, 0, 0})
               .input<double>({1, 2, 2, 1}, {2, 3, /*key 1*/ 4, 5});
  expect_tensor<double>(c.run_tensor(), {1, 1, 2, 1}, {3, 5});
}

// The mask [1, S_kv] broadcasts to every batch, head and query; -inf hides a key. 3-D inputs
// have no batch.
TEST(MultiHeadAttention, MaskBroadcastsOverHeadsAndQueries) {
  const double inf = std::numeric_limits<double>::infinity();
  auto c = attention(1.0f)
               .input<double>({2, 2, 1}, {1, 2, 3, 4})
               .input<double>({2, 2, 1}, {1, 1, 1, 1})
               .input<double>({2, 2, 1}, {10, 20, 30, 40})
               .input<double>({1, 2}, {-inf, 0});
  expect_tensor<double>(c.run_tensor(), {2, 2, 1}, {30, 40, 30, 40});
}

TEST(MultiHeadAttention, InputsThatDoNotFitAreInvalid) {
  auto heads = attention(1.0f)
                   .input<float>({1, 1, 2, 2}, {0, 0, 0, 0})
                   .input<float>({1, 1, 1, 2}, {0, 0})
                   .input<float>({1, 1, 1, 2}, {0, 0});
  EXPECT_THROW_KIND(heads.run(), ErrorKind::InvalidModel, "differ in heads");
  auto mask = attention(1.0f)
                  .input<float>({1, 1, 1}, {0})
                  .input<float>({2, 1, 1}, {0, 0})
                  .input<float>({2, 1, 1}, {0, 0})
                  .input<float>({3}, {0, 0, 0});
  EXPECT_THROW_KIND(mask.run(), ErrorKind::InvalidModel, "does not broadcast to the scores");
  auto rank = OpCase("MultiHeadAttention", 1, "com.tandem")
                  .attr("scale", 1.0f)
                  .input<float>({1, 1}, {0})
                  .input<float>({1, 1}, {0})
                  .input<float>({1, 1}, {0});
  EXPECT_THROW_KIND(rank.run(), ErrorKind::InvalidModel, "must be 3-D or 4-D");
  auto scale = OpCase("MultiHeadAttention", 1, "com.tandem")
                   .input<float>({1, 1, 1}, {0})
                   .input<float>({1, 1, 1}, {0})
                   .input<float>({1, 1, 1}, {0});
  EXPECT_THROW_KIND(scale.run(), ErrorKind::InvalidModel, "missing required attribute 'scale'");
  auto integers = attention(1.0f)
                      .input<int32_t>({1, 1, 1}, {0})
                      .input<int32_t>({1, 1, 1}, {0})
                      .input<int32_t>({1, 1, 1}, {0});
  EXPECT_THROW_KIND(integers.run(), ErrorKind::Unsupported, "expected a floating type");
}

}  // namespace
}  // namespace tandem::testing
