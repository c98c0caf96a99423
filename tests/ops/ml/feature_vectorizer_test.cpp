// FeatureVectorizer: column-wise joining with truncation and padding.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(FeatureVectorizer, TruncatesPadsAndCasts) {
  auto c = OpCase("FeatureVectorizer", 1, "ai.onnx.ml")
               .attr("inputdimensions", std::vector<int64_t>{1, 3})
               .input<int64_t>({2, 2}, {1, 2, 3, 4})
               .input<int64_t>({2, 2}, {5, 6, 7, 8});
  expect_tensor<float>(c.run_tensor(), {2, 4}, {1, 5, 6, 0, 3, 7, 8, 0});
}

TEST(FeatureVectorizer, OneDimensionalInputIsOneRow) {
  auto c = OpCase("FeatureVectorizer", 1, "ai.onnx.ml")
               .attr("inputdimensions", std::vector<int64_t>{2, 1})
               .input<double>({2}, {1.5, 2.5})
               .input<double>({1}, {-3});
  expect_tensor<float>(c.run_tensor(), {1, 3}, {1.5f, 2.5f, -3});
}

TEST(FeatureVectorizer, InputsShareOneType) {
  auto c = OpCase("FeatureVectorizer", 1, "ai.onnx.ml")
               .attr("inputdimensions", std::vector<int64_t>{1, 1})
               .input<float>({1}, {1})
               .input<int64_t>({1}, {2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "inputs must share one type");
}

TEST(FeatureVectorizer, OneDimensionPerInput) {
  auto c = OpCase("FeatureVectorizer", 1, "ai.onnx.ml")
               .attr("inputdimensions", std::vector<int64_t>{1})
               .input<float>({1}, {1})
               .input<float>({1}, {2});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "1 inputdimensions for 2 inputs");
}

}  // namespace
}  // namespace tandem::testing
