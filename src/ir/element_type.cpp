// Element type names and the half-precision conversions.
#include "tandem/element_type.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
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
