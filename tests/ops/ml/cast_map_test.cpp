// CastMap: dense and sparse packing, and each cast.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

Value int_to_float(std::vector<int64_t> keys, std::vector<float> values) {
  const auto n = int64_t(keys.size());
  return Value::map(Tensor::from(std::move(keys), {n}), Tensor::from(std::move(values), {n}));
}

TEST(CastMap, DenseIsInKeyOrder) {
  auto c = OpCase("CastMap", 1, "ai.onnx.ml").input(int_to_float({3, 1, 2}, {30.5f, 10, 20}));
  expect_tensor<float>(c.run_tensor(), {1, 3}, {10, 20, 30.5f});
}

TEST(CastMap, SparsePadsAndDropsKeysPastMaxMap) {
  auto c = OpCase("CastMap", 1, "ai.onnx.ml")
               .attr("map_form", "SPARSE")
               .attr("max_map", 4)
               .attr("cast_to", "TO_INT64")
               .input(int_to_float({3, 1, 9}, {30.5f, -10.7f, 90}));
  expect_tensor<int64_t>(c.run_tensor(), {1, 4}, {0, -10, 0, 30});
}

TEST(CastMap, StringsParseAndFloatsPrintAsOnnxRuntime) {
  Value strings =
      Value::map(Tensor::from<int64_t>({0, 1}, {2}), Tensor::from<std::string>({"1.5", "-2"}, {2}));
  expect_tensor<float>(OpCase("CastMap", 1, "ai.onnx.ml").input(strings).run_tensor(), {1, 2},
                       {1.5f, -2});
  Tensor printed = OpCase("CastMap", 1, "ai.onnx.ml")
                       .attr("cast_to", "TO_STRING")
                       .attr("map_form", "SPARSE")
                       .attr("max_map", 2)
                       .input(int_to_float({1}, {2.5f}))
                       .run_tensor();
  EXPECT_EQ(printed.span<std::string>()[0], "0.f");
  EXPECT_EQ(printed.span<std::string>()[1], "2.500000");
}

TEST(CastMap, UnparsableStringIsAnError) {
  Value strings =
      Value::map(Tensor::from<int64_t>({0}, {1}), Tensor::from<std::string>({"x"}, {1}));
  EXPECT_THROW_KIND(OpCase("CastMap", 1, "ai.onnx.ml").input(strings).run(),
                    ErrorKind::InvalidArgument, "cannot cast the string 'x'");
}

TEST(CastMap, SparseNeedsNonNegativeKeys) {
  auto c =
      OpCase("CastMap", 1, "ai.onnx.ml").attr("map_form", "SPARSE").input(int_to_float({-1}, {1}));
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "keys >= 0");
}

}  // namespace
}  // namespace tandem::testing
