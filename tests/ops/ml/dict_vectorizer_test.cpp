// DictVectorizer: a map becomes a row in vocabulary order.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(DictVectorizer, StringKeysInVocabularyOrderMissingAreZero) {
  Value x = Value::map(Tensor::from<std::string>({"b", "z", "a"}, {3}),
                       Tensor::from<float>({2, 9, 1}, {3}));
  auto c = OpCase("DictVectorizer", 1, "ai.onnx.ml")
               .attr("string_vocabulary", std::vector<std::string>{"a", "b", "c"})
               .input(x);
  expect_tensor<float>(c.run_tensor(), {1, 3}, {1, 2, 0});
}

TEST(DictVectorizer, Int64KeysAndStringValues) {
  Value x = Value::map(Tensor::from<int64_t>({5}, {1}), Tensor::from<std::string>({"five"}, {1}));
  auto c = OpCase("DictVectorizer", 1, "ai.onnx.ml")
               .attr("int64_vocabulary", std::vector<int64_t>{1, 5})
               .input(x);
  Tensor y = c.run_tensor();
  ASSERT_EQ(y.shape(), (Shape{1, 2}));
  EXPECT_EQ(y.span<std::string>()[0], "");
  EXPECT_EQ(y.span<std::string>()[1], "five");
}

TEST(DictVectorizer, KeyTypeMustMatchTheVocabulary) {
  Value x = Value::map(Tensor::from<int64_t>({5}, {1}), Tensor::from<float>({1}, {1}));
  auto c = OpCase("DictVectorizer", 1, "ai.onnx.ml")
               .attr("string_vocabulary", std::vector<std::string>{"a"})
               .input(x);
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "the map's keys are i64");
}

TEST(DictVectorizer, InputMustBeAMap) {
  auto c = OpCase("DictVectorizer", 1, "ai.onnx.ml")
               .attr("int64_vocabulary", std::vector<int64_t>{1})
               .input<float>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "input must be a map");
}

}  // namespace
}  // namespace tandem::testing
