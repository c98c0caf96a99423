// IsNaN and IsInf of opset 20 on the float8 types: only e5m2 has infinities; fnuz NaN is 0x80.
#include <cstdint>
#include <limits>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(IsNaN, Float8) {
  auto c = OpCase("IsNaN", 20).input<float8_e4m3fnuz>(
      {3}, {float8_e4m3fnuz::from_bits(0x80), float8_e4m3fnuz(1.0f), float8_e4m3fnuz(0.0f)});
  expect_tensor<bool>(c.run_tensor(), {3}, {true, false, false});
}

TEST(IsInf, Float8E5M2HasInfinities) {
  auto c = OpCase("IsInf", 20)
               .attr("detect_negative", 0)
               .input<float8_e5m2>({4}, {float8_e5m2::from_float(kInf, false),
                                         float8_e5m2::from_float(-kInf, false),
                                         float8_e5m2(2.0f), float8_e5m2::from_float(kNaN, false)});
  expect_tensor<bool>(c.run_tensor(), {4}, {true, false, false, false});
}

}  // namespace
}  // namespace tandem::testing
