// Element types of tensors, numbered as ONNX's TensorProto.DataType so files map one to one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "tandem/narrow_types.h"

namespace tandem {

enum class ElementType : int32_t {
  Undefined = 0,
  F32 = 1,
  U8 = 2,
  I8 = 3,
  U16 = 4,
  I16 = 5,
  I32 = 6,
  I64 = 7,
  String = 8,
  Bool = 9,
  F16 = 10,
  F64 = 11,
  U32 = 12,
  U64 = 13,
  C64 = 14,
  C128 = 15,
  BF16 = 16,
  F8E4M3FN = 17,
  F8E4M3FNUZ = 18,
  F8E5M2 = 19,
  F8E5M2FNUZ = 20,
  U4 = 21,
  I4 = 22,
  F4E2M1 = 23,
  F8E8M0 = 24,
  U2 = 25,
  I2 = 26,
  F6E2M3 = 27,
  F6E3M2 = 28,
};

/// The narrow types (17..28): one byte per element in memory; .pb files pack the 4-, 2- and 6-bit
/// ones (raw_data low bits first).
constexpr bool is_narrow(ElementType type) {
  return int32_t(type) >= int32_t(ElementType::F8E4M3FN) &&
         int32_t(type) <= int32_t(ElementType::F6E3M2);
}
/// f32, f64, f16, bf16 and the narrow floats (float8, float6, float4, e8m0).
constexpr bool is_floating_type(ElementType type) {
  switch (type) {
    case ElementType::F32:
    case ElementType::F64:
    case ElementType::F16:
    case ElementType::BF16:
    case ElementType::F8E4M3FN:
    case ElementType::F8E4M3FNUZ:
    case ElementType::F8E5M2:
    case ElementType::F8E5M2FNUZ:
    case ElementType::F4E2M1:
    case ElementType::F8E8M0:
    case ElementType::F6E2M3:
    case ElementType::F6E3M2:
      return true;
    default:
      return false;
  }
}
/// Bits per element in packed (file) form: 4 for u4, i4, f4e2m1; 2 for u2, i2; 6 for f6e2m3,
/// f6e3m2; 8 for the others (for which element_size is what counts).
constexpr int packed_bits(ElementType type) {
  switch (type) {
    case ElementType::U4:
    case ElementType::I4:
    case ElementType::F4E2M1:
      return 4;
    case ElementType::U2:
    case ElementType::I2:
      return 2;
    case ElementType::F6E2M3:
    case ElementType::F6E3M2:
      return 6;
    default:
      return 8;
  }
}

/// Bytes per element; for String the size of the in-memory std::string.
size_t element_size(ElementType type);
/// Short name as in "f32", "i64", "bool", "string".
std::string_view to_string(ElementType type);
/// Inverse of to_string; also accepts numpy's names ("float32", "int64"). Undefined if unknown.
ElementType element_type_from_string(std::string_view name);

/// IEEE 754 half precision, stored as bits; arithmetic goes through float.
struct float16 {
  uint16_t bits = 0;
  float16() = default;
  float16(float value);  // NOLINT: implicit, like the built-in floating types
  operator float() const;  // NOLINT
  static float16 from_bits(uint16_t b) {
    float16 h;
    h.bits = b;
    return h;
  }
};

/// bfloat16: the upper half of an IEEE float, rounded to nearest even.
struct bfloat16 {
  uint16_t bits = 0;
  bfloat16() = default;
  bfloat16(float value);  // NOLINT
  operator float() const;  // NOLINT
  static bfloat16 from_bits(uint16_t b) {
    bfloat16 h;
    h.bits = b;
    return h;
  }
};

template <class T>
constexpr ElementType element_type_of() {
  if constexpr (std::is_same_v<T, float>) return ElementType::F32;
  else if constexpr (std::is_same_v<T, double>) return ElementType::F64;
  else if constexpr (std::is_same_v<T, float16>) return ElementType::F16;
  else if constexpr (std::is_same_v<T, bfloat16>) return ElementType::BF16;
  else if constexpr (std::is_same_v<T, int8_t>) return ElementType::I8;
  else if constexpr (std::is_same_v<T, int16_t>) return ElementType::I16;
  else if constexpr (std::is_same_v<T, int32_t>) return ElementType::I32;
  else if constexpr (std::is_same_v<T, int64_t>) return ElementType::I64;
  else if constexpr (std::is_same_v<T, uint8_t>) return ElementType::U8;
  else if constexpr (std::is_same_v<T, uint16_t>) return ElementType::U16;
  else if constexpr (std::is_same_v<T, uint32_t>) return ElementType::U32;
  else if constexpr (std::is_same_v<T, uint64_t>) return ElementType::U64;
  else if constexpr (std::is_same_v<T, bool>) return ElementType::Bool;
  else if constexpr (std::is_same_v<T, std::string>) return ElementType::String;
  else if constexpr (std::is_same_v<T, float8_e4m3fn>)
    return ElementType::F8E4M3FN;
  else if constexpr (std::is_same_v<T, float8_e4m3fnuz>)
    return ElementType::F8E4M3FNUZ;
  else if constexpr (std::is_same_v<T, float8_e5m2>)
    return ElementType::F8E5M2;
  else if constexpr (std::is_same_v<T, float8_e5m2fnuz>)
    return ElementType::F8E5M2FNUZ;
  else if constexpr (std::is_same_v<T, uint4>)
    return ElementType::U4;
  else if constexpr (std::is_same_v<T, int4>)
    return ElementType::I4;
  else if constexpr (std::is_same_v<T, float4_e2m1>)
    return ElementType::F4E2M1;
  else if constexpr (std::is_same_v<T, float8_e8m0>)
    return ElementType::F8E8M0;
  else if constexpr (std::is_same_v<T, uint2>)
    return ElementType::U2;
  else if constexpr (std::is_same_v<T, int2>)
    return ElementType::I2;
  else if constexpr (std::is_same_v<T, float6_e2m3>)
    return ElementType::F6E2M3;
  else if constexpr (std::is_same_v<T, float6_e3m2>)
    return ElementType::F6E3M2;
  else static_assert(!sizeof(T), "not a tensor element type");
}

}  // namespace tandem
