// Element-type dispatch for kernels: call a template lambda with the C++ type of an ElementType.
//
//   visit_numeric(t.element_type(), [&]<class T>() { ... t.span<const T>() ... });
//
// Half types (float16, bfloat16) compute through float: use compute_t<T> for arithmetic.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "tandem/element_type.h"
#include "tandem/error.h"

namespace tandem::ops {

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;
template <class T>
inline constexpr bool is_floating_v =
    std::is_floating_point_v<T> || is_half_v<T> || is_narrow_float_v<T>;

/// The type to do arithmetic in: float for the half and narrow float types, int for the narrow
/// integers (int4, uint4, int2, uint2), T otherwise.
template <class T>
using compute_t = std::conditional_t<is_half_v<T> || is_narrow_float_v<T>, float,
                                     std::conditional_t<is_narrow_int_v<T>, int, T>>;

[[noreturn]] void throw_unsupported_type(ElementType type, const char* what);

enum TypeSet : unsigned {
  kFloat = 1,     // f32 f64 f16 bf16
  kSigned = 2,    // i8 i16 i32 i64
  kUnsigned = 4,  // u8 u16 u32 u64
  kBool = 8,
  kString = 16,
  kInteger = kSigned | kUnsigned,
  kNumeric = kFloat | kInteger,
  kAll = kNumeric | kBool | kString,
  // The narrow types are in none of the sets above, so no kernel meets them unless it asks.
  kFloat8 = 32,      // f8e4m3fn f8e4m3fnuz f8e5m2 f8e5m2fnuz
  kSmallFloat = 64,  // f4e2m1 f6e2m3 f6e3m2 f8e8m0
  kSmallInt = 128,   // i4 u4 i2 u2
  kNarrow = kFloat8 | kSmallFloat | kSmallInt,
  kAllNew = kAll | kNarrow,
};

/// Calls f.template operator()<T>() for the C++ type T of `type`, if `type` is in `set`;
/// throws Unsupported otherwise.
template <unsigned Set, class F>
decltype(auto) visit_types(ElementType type, F&& f) {
  switch (type) {
    case ElementType::F32: if constexpr (Set & kFloat) return f.template operator()<float>(); break;
    case ElementType::F64: if constexpr (Set & kFloat) return f.template operator()<double>(); break;
    case ElementType::F16: if constexpr (Set & kFloat) return f.template operator()<float16>(); break;
    case ElementType::BF16: if constexpr (Set & kFloat) return f.template operator()<bfloat16>(); break;
    case ElementType::I8: if constexpr (Set & kSigned) return f.template operator()<int8_t>(); break;
    case ElementType::I16: if constexpr (Set & kSigned) return f.template operator()<int16_t>(); break;
    case ElementType::I32: if constexpr (Set & kSigned) return f.template operator()<int32_t>(); break;
    case ElementType::I64: if constexpr (Set & kSigned) return f.template operator()<int64_t>(); break;
    case ElementType::U8: if constexpr (Set & kUnsigned) return f.template operator()<uint8_t>(); break;
    case ElementType::U16: if constexpr (Set & kUnsigned) return f.template operator()<uint16_t>(); break;
    case ElementType::U32: if constexpr (Set & kUnsigned) return f.template operator()<uint32_t>(); break;
    case ElementType::U64: if constexpr (Set & kUnsigned) return f.template operator()<uint64_t>(); break;
    case ElementType::Bool: if constexpr (Set & kBool) return f.template operator()<bool>(); break;
    case ElementType::String: if constexpr (Set & kString) return f.template operator()<std::string>(); break;
    case ElementType::F8E4M3FN: if constexpr (Set & kFloat8) return f.template operator()<float8_e4m3fn>(); break;
    case ElementType::F8E4M3FNUZ: if constexpr (Set & kFloat8) return f.template operator()<float8_e4m3fnuz>(); break;
    case ElementType::F8E5M2: if constexpr (Set & kFloat8) return f.template operator()<float8_e5m2>(); break;
    case ElementType::F8E5M2FNUZ: if constexpr (Set & kFloat8) return f.template operator()<float8_e5m2fnuz>(); break;
    case ElementType::F4E2M1: if constexpr (Set & kSmallFloat) return f.template operator()<float4_e2m1>(); break;
    case ElementType::F6E2M3: if constexpr (Set & kSmallFloat) return f.template operator()<float6_e2m3>(); break;
    case ElementType::F6E3M2: if constexpr (Set & kSmallFloat) return f.template operator()<float6_e3m2>(); break;
    case ElementType::F8E8M0: if constexpr (Set & kSmallFloat) return f.template operator()<float8_e8m0>(); break;
    case ElementType::I4: if constexpr (Set & kSmallInt) return f.template operator()<int4>(); break;
    case ElementType::U4: if constexpr (Set & kSmallInt) return f.template operator()<uint4>(); break;
    case ElementType::I2: if constexpr (Set & kSmallInt) return f.template operator()<int2>(); break;
    case ElementType::U2: if constexpr (Set & kSmallInt) return f.template operator()<uint2>(); break;
    default: break;
  }
  throw_unsupported_type(type, "this op");
}

template <class F> decltype(auto) visit_float(ElementType t, F&& f) { return visit_types<kFloat>(t, f); }
template <class F> decltype(auto) visit_integer(ElementType t, F&& f) { return visit_types<kInteger>(t, f); }
template <class F> decltype(auto) visit_numeric(ElementType t, F&& f) { return visit_types<kNumeric>(t, f); }
template <class F> decltype(auto) visit_all(ElementType t, F&& f) { return visit_types<kAll>(t, f); }

}  // namespace tandem::ops
