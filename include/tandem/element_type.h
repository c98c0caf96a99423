// Element types of tensors, numbered as ONNX's TensorProto.DataType so files map one to one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

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
};

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
  else static_assert(!sizeof(T), "not a tensor element type");
}

}  // namespace tandem
