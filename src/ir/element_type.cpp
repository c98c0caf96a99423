// Element type names and the half-precision conversions.
#include "tandem/element_type.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "tandem/error.h"

namespace tandem {
namespace {
struct TypeName {
  ElementType type;
  std::string_view name;
  std::string_view numpy;
  size_t size;
};
constexpr std::array kTypes = {
    TypeName{ElementType::F32, "f32", "float32", 4},    TypeName{ElementType::U8, "u8", "uint8", 1},
    TypeName{ElementType::I8, "i8", "int8", 1},         TypeName{ElementType::U16, "u16", "uint16", 2},
    TypeName{ElementType::I16, "i16", "int16", 2},      TypeName{ElementType::I32, "i32", "int32", 4},
    TypeName{ElementType::I64, "i64", "int64", 8},
    TypeName{ElementType::String, "string", "str", sizeof(std::string)},
    TypeName{ElementType::Bool, "bool", "bool", 1},     TypeName{ElementType::F16, "f16", "float16", 2},
    TypeName{ElementType::F64, "f64", "float64", 8},    TypeName{ElementType::U32, "u32", "uint32", 4},
    TypeName{ElementType::U64, "u64", "uint64", 8},     TypeName{ElementType::C64, "c64", "complex64", 8},
    TypeName{ElementType::C128, "c128", "complex128", 16},
    TypeName{ElementType::BF16, "bf16", "bfloat16", 2},
    // The narrow types: one byte per element in memory; numpy names are ml_dtypes'.
    TypeName{ElementType::F8E4M3FN, "f8e4m3fn", "float8_e4m3fn", 1},
    TypeName{ElementType::F8E4M3FNUZ, "f8e4m3fnuz", "float8_e4m3fnuz", 1},
    TypeName{ElementType::F8E5M2, "f8e5m2", "float8_e5m2", 1},
    TypeName{ElementType::F8E5M2FNUZ, "f8e5m2fnuz", "float8_e5m2fnuz", 1},
    TypeName{ElementType::U4, "u4", "uint4", 1},
    TypeName{ElementType::I4, "i4", "int4", 1},
    TypeName{ElementType::F4E2M1, "f4e2m1", "float4_e2m1fn", 1},
    TypeName{ElementType::F8E8M0, "f8e8m0", "float8_e8m0fnu", 1},
    TypeName{ElementType::U2, "u2", "uint2", 1},
    TypeName{ElementType::I2, "i2", "int2", 1},
    TypeName{ElementType::F6E2M3, "f6e2m3", "float6_e2m3fn", 1},
    TypeName{ElementType::F6E3M2, "f6e3m2", "float6_e3m2fn", 1},
};
const TypeName* find(ElementType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return &t;
  return nullptr;
}
}  // namespace

size_t element_size(ElementType type) {
  const TypeName* t = find(type);
  return t ? t->size : 0;
}

std::string_view to_string(ElementType type) {
  const TypeName* t = find(type);
  return t ? t->name : "undefined";
}

ElementType element_type_from_string(std::string_view name) {
  for (const auto& t : kTypes)
    if (t.name == name || t.numpy == name) return t.type;
  return ElementType::Undefined;
}

// Conversions follow IEEE 754 round-to-nearest-even, with NaN kept quiet and infinities kept.
float16::float16(float value) {
  uint32_t f = std::bit_cast<uint32_t>(value);
  uint32_t sign = (f >> 16) & 0x8000u;
  uint32_t abs = f & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or nan
    bits = uint16_t(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u | ((abs >> 13) & 0x3ffu) : 0));
    return;
  }
  if (abs >= 0x477ff000u) {  // rounds to >= 65520: overflow to inf
    bits = uint16_t(sign | 0x7c00u);
    return;
  }
  if (abs < 0x38800000u) {  // subnormal half (or zero)
    float magic = std::bit_cast<float>(abs) + 0.5f;  // 0.5 = 2^-1 aligns the subnormal ulp 2^-24
    bits = uint16_t(sign | (std::bit_cast<uint32_t>(magic) - 0x3f000000u));
    return;
  }
  uint32_t mant_odd = (abs >> 13) & 1u;
  abs += 0xc8000fffu + mant_odd;  // rebias exponent (-112 << 23) and round to nearest even
  bits = uint16_t(sign | (abs >> 13));
}

float16::operator float() const {
  uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1fu;
  uint32_t mant = bits & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    float v = float(mant) * 5.9604644775390625e-08f;  // 2^-24
    return sign ? -v : v;
  }
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

bfloat16::bfloat16(float value) {
  uint32_t f = std::bit_cast<uint32_t>(value);
  if ((f & 0x7fffffffu) > 0x7f800000u) {
    bits = uint16_t((f >> 16) | 0x40u);  // quiet NaN
    return;
  }
  f += 0x7fffu + ((f >> 16) & 1u);
  bits = uint16_t(f >> 16);
}

bfloat16::operator float() const { return std::bit_cast<float>(uint32_t(bits) << 16); }

namespace {
// How a narrow float lays out its bits. Every format but E8M0 has one sign bit on top.
struct NarrowLayout {
  int exponent_bits;
  int mantissa_bits;
  int bias;
  enum NanKind { kNoNan, kAllOnes, kIeee, kNegativeZero } nan;  // float4/6, fn, E5M2, fnuz
  float max;                                                    // largest finite value
};

NarrowLayout layout_of(NarrowFloatFormat format) {
  switch (format) {
    case NarrowFloatFormat::E4M3FN:
      return {4, 3, 7, NarrowLayout::kAllOnes, 448.0f};
    case NarrowFloatFormat::E4M3FNUZ:
      return {4, 3, 8, NarrowLayout::kNegativeZero, 240.0f};
    case NarrowFloatFormat::E5M2:
      return {5, 2, 15, NarrowLayout::kIeee, 57344.0f};
    case NarrowFloatFormat::E5M2FNUZ:
      return {5, 2, 16, NarrowLayout::kNegativeZero, 57344.0f};
    case NarrowFloatFormat::E2M1:
      return {2, 1, 1, NarrowLayout::kNoNan, 6.0f};
    case NarrowFloatFormat::E2M3:
      return {2, 3, 1, NarrowLayout::kNoNan, 7.5f};
    case NarrowFloatFormat::E3M2:
      return {3, 2, 3, NarrowLayout::kNoNan, 28.0f};
    case NarrowFloatFormat::E8M0:
      break;
  }
  return {8, 0, 127, NarrowLayout::kAllOnes, 1.7014118e38f};
}

// ONNX's to_float8e8m0 (onnx/numpy_helper.py), which the Cast tests are generated with: the sign
// is ignored, NaN and infinities become NaN (0xFF) whatever `saturate` says, zero becomes 2^-127.
uint8_t e8m0_from_float(float value, bool saturate, RoundMode mode) {
  uint32_t f = std::bit_cast<uint32_t>(value);
  uint32_t exponent = (f >> 23) & 0xffu;
  if (exponent == 0xffu) return 0xff;
  bool round_up = false;
  switch (mode) {
    case RoundMode::Up:
      round_up = (f & 0x7fffffu) != 0;
      break;
    case RoundMode::Down:
      break;
    case RoundMode::Nearest: {
      bool guard = f & 0x400000u, round = f & 0x200000u, sticky = f & 0x1fffffu;
      round_up = guard && (round || sticky || exponent > 0);
      break;
    }
  }
  if (round_up && exponent == 0xfeu && saturate) round_up = false;
  return uint8_t(exponent + (round_up ? 1 : 0));  // 0xfe + 1 is NaN when not saturating
}
}  // namespace

uint8_t narrow_float_from_float(NarrowFloatFormat format, double value, bool saturate,
                                RoundMode mode) {
  if (format == NarrowFloatFormat::E8M0) return e8m0_from_float(float(value), saturate, mode);
  const NarrowLayout l = layout_of(format);
  const int sign_shift = l.exponent_bits + l.mantissa_bits;
  const uint8_t sign = std::signbit(value) ? uint8_t(1u << sign_shift) : 0;
  const uint8_t max_bits = [&] {
    int top_exponent = (1 << l.exponent_bits) - 1;
    int top_mantissa = (1 << l.mantissa_bits) - 1;
    if (l.nan == NarrowLayout::kAllOnes)
      return uint8_t((top_exponent << l.mantissa_bits) | (top_mantissa - 1));
    if (l.nan == NarrowLayout::kIeee)
      return uint8_t(((top_exponent - 1) << l.mantissa_bits) | top_mantissa);
    return uint8_t((top_exponent << l.mantissa_bits) | top_mantissa);
  }();
  const uint8_t nan_bits = l.nan == NarrowLayout::kNegativeZero ? uint8_t(0x80)
                           : l.nan == NarrowLayout::kIeee
                               ? uint8_t(sign | (max_bits + 3))  // 0x7e: exponent all ones, quiet
                               : uint8_t(sign | ((1u << sign_shift) - 1));
  if (std::isnan(value)) {
    // Formats without NaN: ml_dtypes gives a zero whose sign is the opposite of the NaN's.
    if (l.nan == NarrowLayout::kNoNan) return uint8_t(sign ^ (1u << sign_shift));
    return nan_bits;
  }
  auto overflow = [&]() -> uint8_t {
    if (saturate || l.nan == NarrowLayout::kNoNan) return uint8_t(sign | max_bits);
    if (l.nan == NarrowLayout::kIeee) return uint8_t(sign | (max_bits + 1));  // infinity
    return nan_bits;
  };
  double a = std::fabs(value);
  if (std::isinf(a)) return overflow();
  // Round to the target's quantum at a's binade (never finer than the subnormal spacing); the
  // result may carry into the next binade, which the encoding below absorbs.
  const int min_exponent = 1 - l.bias;
  int e = a == 0 ? min_exponent : std::max(std::ilogb(a), min_exponent);
  double rounded =
      std::ldexp(std::nearbyint(std::ldexp(a, l.mantissa_bits - e)), e - l.mantissa_bits);
  if (rounded > double(l.max)) return overflow();
  const uint8_t zero_sign = l.nan == NarrowLayout::kNegativeZero ? 0 : sign;
  if (rounded == 0) return zero_sign;
  int re = std::ilogb(rounded);
  if (re < min_exponent)  // subnormal: exponent field 0
    return uint8_t(sign | uint8_t(std::ldexp(rounded, l.mantissa_bits - min_exponent)));
  int mantissa = int(std::ldexp(rounded, l.mantissa_bits - re)) - (1 << l.mantissa_bits);
  return uint8_t(sign | ((re + l.bias) << l.mantissa_bits) | mantissa);
}

float narrow_float_to_float(NarrowFloatFormat format, uint8_t bits) {
  const NarrowLayout l = layout_of(format);
  if (format == NarrowFloatFormat::E8M0) {
    if (bits == 0xff) return std::numeric_limits<float>::quiet_NaN();
    return std::ldexp(1.0f, int(bits) - 127);
  }
  const int sign_shift = l.exponent_bits + l.mantissa_bits;
  bits &= uint8_t((2u << sign_shift) - 1);
  const bool negative = (bits >> sign_shift) & 1;
  const int exponent = (bits >> l.mantissa_bits) & ((1 << l.exponent_bits) - 1);
  const int mantissa = bits & ((1 << l.mantissa_bits) - 1);
  const int top_exponent = (1 << l.exponent_bits) - 1;
  switch (l.nan) {
    case NarrowLayout::kNegativeZero:
      if (bits == 0x80) return std::numeric_limits<float>::quiet_NaN();
      break;
    case NarrowLayout::kAllOnes:
      if (exponent == top_exponent && mantissa == (1 << l.mantissa_bits) - 1)
        return negative ? -std::numeric_limits<float>::quiet_NaN()
                        : std::numeric_limits<float>::quiet_NaN();
      break;
    case NarrowLayout::kIeee:
      if (exponent == top_exponent) {
        if (mantissa == 0)
          return negative ? -std::numeric_limits<float>::infinity()
                          : std::numeric_limits<float>::infinity();
        return negative ? -std::numeric_limits<float>::quiet_NaN()
                        : std::numeric_limits<float>::quiet_NaN();
      }
      break;
    case NarrowLayout::kNoNan:
      break;
  }
  float magnitude = exponent == 0 ? std::ldexp(float(mantissa), 1 - l.bias - l.mantissa_bits)
                                  : std::ldexp(float(mantissa + (1 << l.mantissa_bits)),
                                               exponent - l.bias - l.mantissa_bits);
  return negative ? -magnitude : magnitude;
}

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidModel: return "invalid model";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::InvalidArgument: return "invalid argument";
    case ErrorKind::DeviceUnavailable: return "device unavailable";
    case ErrorKind::Runtime: return "runtime error";
  }
  return "error";
}

}  // namespace tandem
