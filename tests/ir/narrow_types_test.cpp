// The narrow element types: float8/6/4 and e8m0 conversions (exact values, ties, saturation, NaN)
// and the int4/int2 wrappers; every expected bit pattern agrees with ml_dtypes and ONNX's helpers.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tandem/element_type.h"
#include "tandem/tensor.h"

namespace tandem {
namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

uint8_t sat(NarrowFloatFormat f, double v) { return narrow_float_from_float(f, v, true); }
uint8_t nosat(NarrowFloatFormat f, double v) { return narrow_float_from_float(f, v, false); }

TEST(NarrowTypes, NamesAndSizes) {
  EXPECT_EQ(int(ElementType::F8E4M3FN), 17);
  EXPECT_EQ(int(ElementType::F6E3M2), 28);
  EXPECT_EQ(to_string(ElementType::F8E4M3FN), "f8e4m3fn");
  EXPECT_EQ(to_string(ElementType::I4), "i4");
  EXPECT_EQ(element_type_from_string("float4_e2m1fn"), ElementType::F4E2M1);
  EXPECT_EQ(element_type_from_string("float8_e8m0fnu"), ElementType::F8E8M0);
  EXPECT_EQ(element_type_from_string("f6e2m3"), ElementType::F6E2M3);
  for (int t = 17; t <= 28; ++t) EXPECT_EQ(element_size(ElementType(t)), 1u) << t;
  EXPECT_EQ(packed_bits(ElementType::I4), 4);
  EXPECT_EQ(packed_bits(ElementType::U2), 2);
  EXPECT_EQ(packed_bits(ElementType::F6E3M2), 6);
  EXPECT_EQ(packed_bits(ElementType::F8E5M2), 8);
  EXPECT_EQ(element_type_of<float8_e5m2fnuz>(), ElementType::F8E5M2FNUZ);
  EXPECT_EQ(element_type_of<uint2>(), ElementType::U2);
}

TEST(NarrowTypes, E4M3FN) {
  using F = NarrowFloatFormat;
  EXPECT_EQ(sat(F::E4M3FN, 1.0), 0x38);
  EXPECT_EQ(sat(F::E4M3FN, -2.0), 0xC0);
  EXPECT_EQ(sat(F::E4M3FN, 448.0), 0x7E);
  EXPECT_EQ(sat(F::E4M3FN, std::ldexp(1.0, -9)), 0x01);   // smallest subnormal
  EXPECT_EQ(sat(F::E4M3FN, std::ldexp(1.0, -10)), 0x00);  // half of it: tie to even zero
  EXPECT_EQ(sat(F::E4M3FN, 1.0625), 0x38);  // tie between 1.0 and 1.125: even mantissa
  EXPECT_EQ(sat(F::E4M3FN, 1.1875), 0x3A);  // tie between 1.125 and 1.25
  EXPECT_EQ(sat(F::E4M3FN, -0.0), 0x80);
  EXPECT_EQ(sat(F::E4M3FN, 464.0), 0x7E);  // tie below the would-be 480: even, in range
  EXPECT_EQ(nosat(F::E4M3FN, 464.0), 0x7E);
  EXPECT_EQ(nosat(F::E4M3FN, 465.0), 0x7F);
  EXPECT_EQ(sat(F::E4M3FN, 1e6), 0x7E);
  EXPECT_EQ(sat(F::E4M3FN, -kInf), 0xFE);
  EXPECT_EQ(nosat(F::E4M3FN, kInf), 0x7F);
  EXPECT_EQ(nosat(F::E4M3FN, -kInf), 0xFF);
  EXPECT_EQ(sat(F::E4M3FN, kNaN), 0x7F);
  EXPECT_EQ(narrow_float_to_float(F::E4M3FN, 0x7E), 448.0f);
  EXPECT_EQ(narrow_float_to_float(F::E4M3FN, 0x01), std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(narrow_float_to_float(F::E4M3FN, 0xFF)));
}

TEST(NarrowTypes, E4M3FNUZ) {
  using F = NarrowFloatFormat;
  EXPECT_EQ(sat(F::E4M3FNUZ, 1.0), 0x40);
  EXPECT_EQ(sat(F::E4M3FNUZ, 240.0), 0x7F);
  EXPECT_EQ(sat(F::E4M3FNUZ, 1000.0), 0x7F);
  EXPECT_EQ(sat(F::E4M3FNUZ, -kInf), 0xFF);
  EXPECT_EQ(nosat(F::E4M3FNUZ, 1000.0), 0x80);
  EXPECT_EQ(nosat(F::E4M3FNUZ, -kInf), 0x80);
  EXPECT_EQ(sat(F::E4M3FNUZ, -0.0), 0x00);   // no negative zero
  EXPECT_EQ(sat(F::E4M3FNUZ, -1e-7), 0x00);  // rounds to zero, never to 0x80 (NaN)
  EXPECT_EQ(sat(F::E4M3FNUZ, -kNaN), 0x80);
  EXPECT_TRUE(std::isnan(narrow_float_to_float(F::E4M3FNUZ, 0x80)));
  EXPECT_EQ(narrow_float_to_float(F::E4M3FNUZ, 0xFF), -240.0f);
}

TEST(NarrowTypes, E5M2) {
  using F = NarrowFloatFormat;
  EXPECT_EQ(sat(F::E5M2, 1.0), 0x3C);
  EXPECT_EQ(sat(F::E5M2, 57344.0), 0x7B);
  EXPECT_EQ(sat(F::E5M2, kInf), 0x7B);
  EXPECT_EQ(nosat(F::E5M2, kInf), 0x7C);
  EXPECT_EQ(nosat(F::E5M2, -1e6), 0xFC);
  EXPECT_EQ(nosat(F::E5M2, 61440.0), 0x7C);  // tie between max and 2^16: even is infinity
  EXPECT_EQ(sat(F::E5M2, 61440.0), 0x7B);
  EXPECT_EQ(sat(F::E5M2, 1.125), 0x3C);  // tie: even
  EXPECT_EQ(sat(F::E5M2, kNaN), 0x7E);
  EXPECT_EQ(narrow_float_to_float(F::E5M2, 0x7C), kInf);
  EXPECT_EQ(narrow_float_to_float(F::E5M2, 0xFC), -kInf);
  EXPECT_TRUE(std::isnan(narrow_float_to_float(F::E5M2, 0x7D)));
  EXPECT_EQ(narrow_float_to_float(F::E5M2, 0x01), std::ldexp(1.0f, -16));
}

TEST(NarrowTypes, E5M2FNUZ) {
  using F = NarrowFloatFormat;
  EXPECT_EQ(sat(F::E5M2FNUZ, 1.0), 0x40);
  EXPECT_EQ(sat(F::E5M2FNUZ, 57344.0), 0x7F);
  EXPECT_EQ(sat(F::E5M2FNUZ, kInf), 0x7F);
  EXPECT_EQ(nosat(F::E5M2FNUZ, kInf), 0x80);
  EXPECT_EQ(sat(F::E5M2FNUZ, -0.0), 0x00);
  EXPECT_EQ(sat(F::E5M2FNUZ, kNaN), 0x80);
  EXPECT_EQ(narrow_float_to_float(F::E5M2FNUZ, 0x01), std::ldexp(1.0f, -17));
}

TEST(NarrowTypes, Float4And6) {
  using F = NarrowFloatFormat;
  const float e2m1[] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (int c = 0; c < 8; ++c) {
    EXPECT_EQ(narrow_float_to_float(F::E2M1, uint8_t(c)), e2m1[c]);
    EXPECT_EQ(narrow_float_to_float(F::E2M1, uint8_t(c | 8)), -e2m1[c]);
    EXPECT_EQ(sat(F::E2M1, e2m1[c]), c);
  }
  EXPECT_EQ(sat(F::E2M1, 2.5), 0x4);   // tie: 2 (even) rather than 3
  EXPECT_EQ(sat(F::E2M1, 5.0), 0x6);   // tie: 4 rather than 6
  EXPECT_EQ(sat(F::E2M1, 0.25), 0x0);  // tie: 0 rather than 0.5
  EXPECT_EQ(sat(F::E2M1, -0.25), 0x8);
  EXPECT_EQ(nosat(F::E2M1, 100.0), 0x7);  // no infinity or NaN: always saturates
  EXPECT_EQ(nosat(F::E2M1, -kInf), 0xF);
  EXPECT_EQ(sat(F::E2M1, kNaN), 0x8);  // ml_dtypes: NaN gives a zero of the other sign
  EXPECT_EQ(sat(F::E2M3, 7.5), 0x1F);
  EXPECT_EQ(sat(F::E2M3, 1.0), 0x08);
  EXPECT_EQ(sat(F::E2M3, 100.0), 0x1F);
  EXPECT_EQ(narrow_float_to_float(F::E2M3, 0x01), 0.125f);
  EXPECT_EQ(sat(F::E3M2, 28.0), 0x1F);
  EXPECT_EQ(sat(F::E3M2, 1.0), 0x0C);
  EXPECT_EQ(sat(F::E3M2, -1000.0), 0x3F);
  EXPECT_EQ(narrow_float_to_float(F::E3M2, 0x01), 0.0625f);
}

TEST(NarrowTypes, E8M0) {
  using F = NarrowFloatFormat;
  auto e8 = [](double v, bool s, RoundMode m) { return narrow_float_from_float(F::E8M0, v, s, m); };
  EXPECT_EQ(e8(1.0, true, RoundMode::Up), 127);
  EXPECT_EQ(e8(1.1, true, RoundMode::Up), 128);
  EXPECT_EQ(e8(1.9, true, RoundMode::Down), 127);
  EXPECT_EQ(e8(1.5, true, RoundMode::Nearest), 128);  // ties up
  EXPECT_EQ(e8(1.4, true, RoundMode::Nearest), 127);
  EXPECT_EQ(e8(0.0, true, RoundMode::Up), 0);
  EXPECT_EQ(e8(kNaN, true, RoundMode::Up), 0xFF);
  EXPECT_EQ(e8(kInf, true, RoundMode::Up), 0xFF);  // as ONNX's to_float8e8m0
  EXPECT_EQ(e8(1.5 * std::ldexp(1.0, 127), true, RoundMode::Up), 0xFE);
  EXPECT_EQ(e8(1.5 * std::ldexp(1.0, 127), false, RoundMode::Up), 0xFF);
  EXPECT_EQ(narrow_float_to_float(F::E8M0, 127), 1.0f);
  EXPECT_EQ(narrow_float_to_float(F::E8M0, 0), std::ldexp(1.0f, -127));
  EXPECT_TRUE(std::isnan(narrow_float_to_float(F::E8M0, 0xFF)));
}

TEST(NarrowTypes, EveryCodeRoundTrips) {
  struct Case {
    NarrowFloatFormat format;
    int codes;
  };
  for (auto [format, codes] :
       {Case{NarrowFloatFormat::E4M3FN, 256}, Case{NarrowFloatFormat::E4M3FNUZ, 256},
        Case{NarrowFloatFormat::E5M2, 256}, Case{NarrowFloatFormat::E5M2FNUZ, 256},
        Case{NarrowFloatFormat::E2M1, 16}, Case{NarrowFloatFormat::E2M3, 64},
        Case{NarrowFloatFormat::E3M2, 64}, Case{NarrowFloatFormat::E8M0, 255}}) {
    for (int c = 0; c < codes; ++c) {
      float v = narrow_float_to_float(format, uint8_t(c));
      if (std::isnan(v)) continue;
      // Down: ONNX's "up" rounds e8m0's 2^-127 (a float subnormal, fraction bits set) to 2^-126.
      EXPECT_EQ(narrow_float_from_float(format, v, false, RoundMode::Down), c)
          << int(format) << " code " << c;
    }
  }
}

TEST(NarrowTypes, Structs) {
  float8_e4m3fn a = 3.0f;
  EXPECT_EQ(a.bits, 0x44);
  EXPECT_EQ(float(a), 3.0f);
  EXPECT_EQ(float8_e4m3fn(1e6f).bits, 0x7E);  // implicit conversion saturates, as Cast does
  EXPECT_EQ(float8_e4m3fn::from_float(1e6, false).bits, 0x7F);
  EXPECT_EQ(float8_e8m0::from_float(3.0, true, RoundMode::Down).bits, 128);
}

TEST(NarrowTypes, Integers) {
  EXPECT_EQ(int(int4(9)), -7);  // low four bits, as Cast and ml_dtypes
  EXPECT_EQ(int(int4(-8)), -8);
  EXPECT_EQ(int4(-1).bits, 0x0F);  // ml_dtypes' byte
  EXPECT_EQ(int(int4::from_bits(0xFF)), -1);
  EXPECT_EQ(int(uint4(17)), 1);
  EXPECT_EQ(int(int4::saturate(100)), 7);
  EXPECT_EQ(int(int4::saturate(-100)), -8);
  EXPECT_EQ(int(uint4::saturate(-3)), 0);
  EXPECT_EQ(int(int2(3)), -1);
  EXPECT_EQ(int(int2(-2)), -2);
  EXPECT_EQ(int(uint2(7)), 3);
  EXPECT_EQ(int(int2::saturate(5)), 1);
}

TEST(NarrowTypes, TensorValues) {
  Tensor f = Tensor::from<float8_e5m2>({float8_e5m2(1.5f), float8_e5m2::from_bits(0x7C)});
  EXPECT_EQ(f.to_double(), (std::vector<double>{1.5, std::numeric_limits<double>::infinity()}));
  EXPECT_THROW(f.to_int64(), Error);
  Tensor i = Tensor::from<int4>({int4(-3), int4(7)});
  EXPECT_EQ(i.to_int64(), (std::vector<int64_t>{-3, 7}));
  EXPECT_EQ(Tensor::scalar<uint2>(uint2(2)).scalar<int64_t>(), 2);
  EXPECT_EQ(Tensor::scalar<float8_e8m0>(float8_e8m0::from_bits(128)).scalar<float>(), 2.0f);
  EXPECT_EQ(Tensor(ElementType::F4E2M1, {3}).byte_size(), 3u);
}

}  // namespace
}  // namespace tandem
