// ZipMap: rows of scores become a sequence of label -> score maps.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(ZipMap, StringLabelsOneMapPerRow) {
  auto c = OpCase("ZipMap", 1, "ai.onnx.ml")
               .attr("classlabels_strings", std::vector<std::string>{"cat", "dog"})
               .input<float>({2, 2}, {0.25f, 0.75f, 0.5f, 0.5f});
  Value y = c.run().at(0);
  ASSERT_TRUE(y.is_map_sequence());
  ASSERT_EQ(y.map_items().size(), 2u);
  const Value& second = y.map_items()[1];
  EXPECT_EQ(second.map_keys().span<std::string>()[0], "cat");
  EXPECT_EQ(second.map_keys().span<std::string>()[1], "dog");
  expect_tensor<float>(y.map_items()[0].map_values(), {2}, {0.25f, 0.75f});
  expect_tensor<float>(second.map_values(), {2}, {0.5f, 0.5f});
}

TEST(ZipMap, Int64LabelsAndOneRow) {
  auto c = OpCase("ZipMap", 1, "ai.onnx.ml")
               .attr("classlabels_int64s", std::vector<int64_t>{7, 3, 5})
               .input<float>({3}, {1, 2, 3});
  Value y = c.run().at(0);
  ASSERT_EQ(y.map_items().size(), 1u);
  expect_tensor<int64_t>(y.map_items()[0].map_keys(), {3}, {7, 3, 5});
  EXPECT_EQ(y.sequence_key_type(), ElementType::I64);
}

TEST(ZipMap, ColumnsMustMatchTheLabels) {
  auto c = OpCase("ZipMap", 1, "ai.onnx.ml")
               .attr("classlabels_int64s", std::vector<int64_t>{0, 1})
               .input<float>({1, 3}, {1, 2, 3});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "3 columns for 2 class labels");
}

TEST(ZipMap, NeedsExactlyOneLabelList) {
  auto c = OpCase("ZipMap", 1, "ai.onnx.ml").input<float>({1, 1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "exactly one of classlabels_int64s");
}

}  // namespace
}  // namespace tandem::testing
