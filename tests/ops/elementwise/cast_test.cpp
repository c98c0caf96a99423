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

TEST(Cast, FloatToBfloat16RoundsFromOpset19) {
  Tensor y = cast_to(ElementType::BF16, Tensor::from<float>({0.48033667f, 1.0f}), 19);
  auto v = y.span<const bfloat16>();
  EXPECT_EQ(float(v[0]), 0.48046875f);  // opset 13 truncates to 0.478515625
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

// Narrow types (opset 19 on): saturate and round_mode, integer wrap-around, opset checks.
std::vector<uint8_t> bits_of(const Tensor& t) {
  auto* p = static_cast<const uint8_t*>(t.data());
  return {p, p + t.byte_size()};
}

TEST(Cast, Float8SaturatesByDefault) {
  const float inf = std::numeric_limits<float>::infinity();
  auto x = Tensor::from<float>({1.0f, 1000.0f, -inf, 0.3f});
  EXPECT_EQ(bits_of(cast_to(ElementType::F8E4M3FN, x, 19)),
            (std::vector<uint8_t>{0x38, 0x7E, 0xFE, 0x2A}));
  Tensor y = OpCase("Cast", 19)
                 .attr("to", int64_t(ElementType::F8E4M3FN))
                 .attr("saturate", int64_t(0))
                 .input(Value(x))
                 .run_tensor();
  EXPECT_EQ(bits_of(y), (std::vector<uint8_t>{0x38, 0x7F, 0xFF, 0x2A}));
  Tensor z = OpCase("Cast", 19)
                 .attr("to", int64_t(ElementType::F8E5M2))
                 .attr("saturate", int64_t(0))
                 .input(Value(x))
                 .run_tensor();
  EXPECT_EQ(bits_of(z), (std::vector<uint8_t>{0x3C, 0x64, 0xFC, 0x35}));
}

TEST(Cast, Float8ToFloatAndInteger) {
  auto x =
      Tensor::from<float8_e5m2fnuz>({float8_e5m2fnuz(-2.5f), float8_e5m2fnuz::from_bits(0x80)});
  Tensor y = cast_to(ElementType::F32, x, 19);
  expect_tensor<float>(y, {2}, {-2.5f, std::numeric_limits<float>::quiet_NaN()});
  expect_tensor<int32_t>(
      cast_to(ElementType::I32, Tensor::from<float8_e4m3fn>({float8_e4m3fn(-2.5f)}), 19), {}, {-2});
}

TEST(Cast, E8M0RoundModes) {
  auto x = Tensor::from<float>({1.0f, 1.5f, 3.0f, 0.0f});
  auto run = [&](const char* mode) {
    return bits_of(OpCase("Cast", 24)
                       .attr("to", int64_t(ElementType::F8E8M0))
                       .attr("round_mode", mode)
                       .input(Value(x))
                       .run_tensor());
  };
  EXPECT_EQ(bits_of(cast_to(ElementType::F8E8M0, x, 24)), (std::vector<uint8_t>{127, 128, 129, 0}));
  EXPECT_EQ(run("up"), (std::vector<uint8_t>{127, 128, 129, 0}));
  EXPECT_EQ(run("down"), (std::vector<uint8_t>{127, 127, 128, 0}));
  EXPECT_EQ(run("nearest"), (std::vector<uint8_t>{127, 128, 129, 0}));
  EXPECT_THROW_KIND(run("sideways"), ErrorKind::InvalidModel, "round_mode is 'sideways'");
}

TEST(Cast, Int4WrapsLikeNumpy) {
  Tensor y = cast_to(ElementType::I4, Tensor::from<float>({9.7f, -9.0f, 7.5f, -8.0f}), 21);
  EXPECT_EQ(y.to_int64(), (std::vector<int64_t>{-7, 7, 7, -8}));
  Tensor u = cast_to(ElementType::U2, Tensor::from<int32_t>({5, -1}), 25);
  EXPECT_EQ(u.to_int64(), (std::vector<int64_t>{1, 3}));
  expect_tensor<int8_t>(cast_to(ElementType::I8, Tensor::from<int4>({int4(-8), int4(7)}), 21), {2},
                        {-8, 7});
  expect_tensor<std::string>(cast_to(ElementType::String, Tensor::from<int4>({int4(-3)}), 21), {},
                             {"-3"});
}

TEST(Cast, NarrowTypesNeedTheirOpset) {
  EXPECT_THROW_KIND(cast_to(ElementType::I4, Tensor::from<float>({1.0f}), 19),
                    ErrorKind::InvalidModel, "from opset 21 on");
  EXPECT_THROW_KIND(cast_to(ElementType::F8E4M3FN, Tensor::from<float>({1.0f}), 13),
                    ErrorKind::InvalidModel, "from opset 19 on");
}

TEST(CastLike, SaturateAppliesToo) {
  Tensor y = OpCase("CastLike", 19)
                 .attr("saturate", int64_t(0))
                 .input(Value(Tensor::from<float>({1000.0f})))
                 .input(Value(Tensor::from<float8_e4m3fnuz>({float8_e4m3fnuz(1.0f)})))
                 .run_tensor();
  EXPECT_EQ(bits_of(y), (std::vector<uint8_t>{0x80}));
}

}  // namespace
}  // namespace tandem::testing
