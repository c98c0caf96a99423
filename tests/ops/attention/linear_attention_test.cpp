// LinearAttention: the recurrences by hand for one head of size 1, and the input rules.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

OpCase linear_case(const char* rule) {
  return OpCase("LinearAttention", 27)
      .attr("update_rule", rule)
      .attr("q_num_heads", 1)
      .attr("kv_num_heads", 1)
      .attr("scale", 1.0f)
      .input<float>({1, 2, 1}, {1, 1})
      .input<float>({1, 2, 1}, {1, 2})
      .input<float>({1, 2, 1}, {3, 4})
      .outputs(2);
}

// S accumulates k v: 3, then 3 + 8 = 11; o = q S.
TEST(LinearAttention, LinearRuleAccumulates) {
  auto out = linear_case("linear").run();
  expect_tensor<float>(out[0].tensor(), {1, 2, 1}, {3, 11});
  expect_tensor<float>(out[1].tensor(), {1, 1, 1, 1}, {11});
}

// Gated: S = exp(g) S + k v with g = log(0.5): 3, then 1.5 + 8.
TEST(LinearAttention, GatedRuleDecaysTheState) {
  auto c = linear_case("gated").omitted_input().input<float>({1, 2, 1}, {0, float(std::log(0.5))});
  expect_tensor<float>(c.run().at(0).tensor(), {1, 2, 1}, {3, 9.5f});
}

// Delta with beta 1 writes v minus what k retrieves: S = 3, then 3 + 2 (4 - 3 * 2) = -1.
TEST(LinearAttention, DeltaRuleCorrectsTheState) {
  auto c = linear_case("delta").omitted_input().omitted_input().input<float>({1, 2, 1}, {1, 1});
  expect_tensor<float>(c.run().at(0).tensor(), {1, 2, 1}, {3, -1});
}

TEST(LinearAttention, GatedRuleNeedsDecay) {
  EXPECT_THROW_KIND(linear_case("gated").run(), ErrorKind::InvalidModel, "requires the decay");
}

TEST(LinearAttention, UnknownRuleIsInvalidModel) {
  EXPECT_THROW_KIND(linear_case("sideways").run(), ErrorKind::InvalidModel, "update_rule");
}

}  // namespace
}  // namespace tandem::testing
