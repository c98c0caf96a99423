// Cast and CastLike: the string forms ONNX's tests expect, half types, integer wrap-around.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

Tensor cast_to(ElementType to, Value input, int opset = 13) {
  return OpCase("Cast", opset).attr("to", int64_t(to)).input(std::move(input)).run_tensor();
}

TEST(Cast, FloatsPrintLikeNumpy) {
  const float nan = std::numeric_limits<float>::quiet_NaN(),
              inf = std::numeric_limits<float>::infinity();
  Tensor y = cast_to(ElementType::String,
                     Tensor::from<float>({1e-5f, 1.0f, 100.0f, 0.1f, 0.039187793f, -0.0f, 1.5e16f,
                                          123456.5f, nan, -inf, 3.0e-3f}));
  expect_tensor<std::string>(y, {11},
                             {"1e-05", "1.0", "100.0", "0.1", "0.039187793", "-0.0", "1.5e+16",
                              "123456.5", "nan", "-inf", "0.003"});
}

// The fewest digits that read back as the same half: 65504 prints as 65500, as numpy does.
TEST(Cast, HalfPrintsItsShortestForm) {
  Tensor y = cast_to(ElementType::String, Tensor::from<float16>({float16(0.1f), float16(65504.f)}));
  expect_tensor<std::string>(y, {2}, {"0.1", "65500.0"});
}

TEST(Cast, StringsParseNumbersAndInfinities) {
  Tensor y =
      cast_to(ElementType::F32, Tensor::from<std::string>({"0.5", "-INF", "+INF", "1e3", "NaN"}));
  auto v = y.span<const float>();
  EXPECT_EQ(v[0], 0.5f);
  EXPECT_EQ(v[1], -std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[2], std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[3], 1000.f);
  EXPECT_TRUE(std::isnan(v[4]));
}

TEST(Cast, StringsToIntegersAndBack) {
  Tensor y = cast_to(ElementType::I64, Tensor::from<std::string>({"-42", "7"}));
  expect_tensor<int64_t>(y, {2}, {-42, 7});
  expect_tensor<std::string>(cast_to(ElementType::String, Value(y)), {2}, {"-42", "7"});
}

// ONNX 1.12's expected outputs keep the upper half of the float rather than rounding.
TEST(Cast, FloatToBfloat16Truncates) {
  Tensor y = cast_to(ElementType::BF16, Tensor::from<float>({0.47892547f, 1.0f}));
  auto v = y.span<const bfloat16>();
  EXPECT_EQ(v[0].bits, 16117);
  EXPECT_EQ(v[1].bits, 0x3f80);
}

TEST(Cast, FloatToFloat16RoundsToNearestEven) {
  Tensor y = cast_to(ElementType::F16, Tensor::from<float>({0.5488135f, 65520.f}));
  auto v = y.span<const float16>();
  EXPECT_EQ(v[0].bits, float16(0.549f).bits);
  EXPECT_EQ(v[1].bits, 0x7c00);  // overflows to infinity
}

TEST(Cast, FloatsToIntegersTruncateAndWrap) {
  expect_tensor<int8_t>(cast_to(ElementType::I8, Tensor::from<double>({300.7, -1.9, 2.9})), {3},
                        {44, -1, 2});
}

TEST(Cast, NumbersToBool) {
  expect_tensor<bool>(cast_to(ElementType::Bool, Tensor::from<float>({0, -0.5f, 2})), {3},
                      {false, true, true});
}

TEST(Cast, Opset1NamesTheTypeWithAString) {
  auto c = OpCase("Cast", 1).attr("to", "INT32").input<float>({2}, {1.5f, -2.5f});
  expect_tensor<int32_t>(c.run_tensor(), {2}, {1, -2});
}

TEST(Cast, UnknownTypeNameIsInvalid) {
  auto c = OpCase("Cast", 1).attr("to", "FLOAT128").input<float>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "unknown type");
}

TEST(CastLike, TakesTheSecondInputsType) {
  auto c = OpCase("CastLike", 15).input<float>({2}, {1.5f, 2}).input<double>({1}, {0});
  expect_tensor<double>(c.run_tensor(), {2}, {1.5, 2});
}

}  // namespace
}  // namespace tandem::testing
