// CategoryMapper: both directions and the defaults.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

OpCase mapper() {
  return std::move(OpCase("CategoryMapper", 1, "ai.onnx.ml")
                       .attr("cats_strings", std::vector<std::string>{"a", "b"})
                       .attr("cats_int64s", std::vector<int64_t>{10, 20}));
}

TEST(CategoryMapper, StringsToInt64KeepTheShape) {
  auto c = mapper().attr("default_int64", 99).input<std::string>({2, 2}, {"b", "a", "c", "b"});
  expect_tensor<int64_t>(c.run_tensor(), {2, 2}, {20, 10, 99, 20});
}

TEST(CategoryMapper, Int64ToStringsWithTheDefault) {
  Tensor y = mapper().input<int64_t>({3}, {20, 7, 10}).run_tensor();
  ASSERT_EQ(y.element_type(), ElementType::String);
  EXPECT_EQ(y.span<std::string>()[0], "b");
  EXPECT_EQ(y.span<std::string>()[1], "_Unused");
  EXPECT_EQ(y.span<std::string>()[2], "a");
}

TEST(CategoryMapper, ListsMustBeParallel) {
  auto c = OpCase("CategoryMapper", 1, "ai.onnx.ml")
               .attr("cats_strings", std::vector<std::string>{"a"})
               .input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "cats_strings has 1 entries, cats_int64s 0");
}

}  // namespace
}  // namespace tandem::testing
