// TfIdfVectorizer: the weighting modes, string pools, permuted ngram_indexes, bad pools.
#include <string>
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// Pool: unigrams {2, 3}, bigram {2, 3}; output columns permuted to [bigram, 3, 2].
OpCase tfidf(const char* mode) {
  return OpCase("TfIdfVectorizer", 9)
      .attr("mode", mode)
      .attr("min_gram_length", 1)
      .attr("max_gram_length", 2)
      .attr("max_skip_count", 0)
      .attr("ngram_counts", std::vector<int64_t>{0, 2})
      .attr("ngram_indexes", std::vector<int64_t>{2, 1, 0})
      .attr("pool_int64s", std::vector<int64_t>{2, 3, 2, 3});
}

TEST(TfIdfVectorizer, WeightingModes) {
  const std::vector<int64_t> x{2, 3, 2, 3, 3, 7};
  expect_tensor<float>(tfidf("TF").input<int64_t>({6}, x).run_tensor(), {3}, {2, 3, 2});
  // Weights belong to pool n-grams: 2 -> 0.5, 3 -> 0.25, [2 3] -> 4.
  const std::vector<float> weights{0.5f, 0.25f, 4};
  expect_tensor<float>(tfidf("IDF").attr("weights", weights).input<int64_t>({6}, x).run_tensor(),
                       {3}, {4, 0.25f, 0.5f});
  expect_tensor<float>(tfidf("TFIDF").attr("weights", weights).input<int64_t>({6}, x).run_tensor(),
                       {3}, {8, 0.75f, 1});
}

TEST(TfIdfVectorizer, StringPoolWithSkipsAndBatches) {
  // Bigram "a c" is found with one skip in row 0 ("a b c") and directly in row 1.
  auto c = OpCase("TfIdfVectorizer", 9)
               .attr("mode", "TF")
               .attr("min_gram_length", 2)
               .attr("max_gram_length", 2)
               .attr("max_skip_count", 1)
               .attr("ngram_counts", std::vector<int64_t>{0, 0})
               .attr("ngram_indexes", std::vector<int64_t>{0})
               .attr("pool_strings", std::vector<std::string>{"a", "c"})
               .input<std::string>({2, 3}, {"a", "b", "c", "a", "c", "x"});
  expect_tensor<float>(c.run_tensor(), {2, 1}, {1, 1});
}

TEST(TfIdfVectorizer, RejectsMismatchedPoolsAndInputs) {
  auto both =
      tfidf("TF").attr("pool_strings", std::vector<std::string>{"a"}).input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(both.run(), ErrorKind::InvalidModel, "exactly one of");
  auto strings = tfidf("TF").input<std::string>({1}, {"a"});
  EXPECT_THROW_KIND(strings.run(), ErrorKind::InvalidModel, "needs pool_strings");
  auto counts =
      tfidf("TF").attr("ngram_counts", std::vector<int64_t>{0, 9}).input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(counts.run(), ErrorKind::InvalidModel, "does not fit a pool");
}

}  // namespace
}  // namespace tandem::testing
