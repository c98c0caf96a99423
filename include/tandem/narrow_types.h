// The narrow element types of ONNX (float8, float6, float4, e8m0, int4, int2): one byte per element
// in memory, as ml_dtypes keeps them; only .pb files pack the 4-bit and 2-bit ones.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace tandem {

/// The narrow float formats. The fn/fnuz formats have no infinity; fnuz ones have no negative zero
/// and a single NaN (0x80); E2M1, E2M3 and E3M2 have neither NaN nor infinity; E8M0 is an unsigned
/// power of two, 2^(bits - 127), with 0xFF as NaN.
enum class NarrowFloatFormat : uint8_t { E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ, E2M1, E8M0, E2M3, E3M2 };

/// How a conversion to E8M0 rounds (Cast's round_mode); the other formats round to nearest even.
/// Up: away from zero; Down: towards zero; Nearest: to nearest, ties up.
enum class RoundMode : uint8_t { Up, Down, Nearest };

/// A float or double to a narrow float's bits, rounded once (no double rounding through float).
/// With `saturate` (ONNX Cast's default) values beyond the largest finite value, infinities
/// included, become that value; without it they become infinity where the format has one (E5M2),
/// NaN otherwise. Formats without NaN (E2M1, E2M3, E3M2) always saturate and map NaN to a zero of
/// the opposite sign, as ml_dtypes does. E8M0 follows ONNX's to_float8e8m0: it converts to float
/// first, ignores the sign and maps zero to 2^-127.
uint8_t narrow_float_from_float(NarrowFloatFormat format, double value, bool saturate,
                                RoundMode mode = RoundMode::Up);
/// A narrow float's bits to float (exact: every narrow value is a float).
float narrow_float_to_float(NarrowFloatFormat format, uint8_t bits);

template <NarrowFloatFormat Format>
struct narrow_float {
  static constexpr NarrowFloatFormat kFormat = Format;
  uint8_t bits = 0;
  narrow_float() = default;
  /// Saturating, as ONNX's Cast by default; E8M0 rounds up.
  narrow_float(float value) : bits(narrow_float_from_float(Format, value, true)) {}  // NOLINT
  operator float() const { return narrow_float_to_float(Format, bits); }             // NOLINT
  static narrow_float from_bits(uint8_t b) {
    narrow_float h;
    h.bits = b;
    return h;
  }
  static narrow_float from_float(double value, bool saturate, RoundMode mode = RoundMode::Up) {
    return from_bits(narrow_float_from_float(Format, value, saturate, mode));
  }
};

using float8_e4m3fn = narrow_float<NarrowFloatFormat::E4M3FN>;
using float8_e4m3fnuz = narrow_float<NarrowFloatFormat::E4M3FNUZ>;
using float8_e5m2 = narrow_float<NarrowFloatFormat::E5M2>;
using float8_e5m2fnuz = narrow_float<NarrowFloatFormat::E5M2FNUZ>;
using float4_e2m1 = narrow_float<NarrowFloatFormat::E2M1>;
using float8_e8m0 = narrow_float<NarrowFloatFormat::E8M0>;
using float6_e2m3 = narrow_float<NarrowFloatFormat::E2M3>;
using float6_e3m2 = narrow_float<NarrowFloatFormat::E3M2>;

/// A Bits-wide integer held in the low bits of one byte, the upper bits zero, as ml_dtypes keeps
/// them (int4 -1 is 0x0F); reading ignores the upper bits. Conversion from int keeps the low Bits
/// bits, as ONNX's Cast does for fixed point out of range and as ml_dtypes does; saturate() clamps
/// instead, as QuantizeLinear does.
template <int Bits, bool Signed>
struct narrow_int {
  static constexpr int kBits = Bits;
  static constexpr int kMin = Signed ? -(1 << (Bits - 1)) : 0;
  static constexpr int kMax = Signed ? (1 << (Bits - 1)) - 1 : (1 << Bits) - 1;
  static constexpr uint8_t kMask = uint8_t((1u << Bits) - 1);
  uint8_t bits = 0;
  narrow_int() = default;
  narrow_int(int v) : bits(uint8_t(unsigned(v) & kMask)) {}  // NOLINT: implicit, like int8_t
  operator int() const {                                     // NOLINT
    int low = bits & kMask;
    if constexpr (Signed) return low > kMax ? low - (1 << Bits) : low;
    return low;
  }
  static narrow_int saturate(int64_t v) {
    return narrow_int(int(std::clamp<int64_t>(v, kMin, kMax)));
  }
  static narrow_int from_bits(uint8_t b) {
    narrow_int n;
    n.bits = uint8_t(b & kMask);
    return n;
  }
};

using int4 = narrow_int<4, true>;
using uint4 = narrow_int<4, false>;
using int2 = narrow_int<2, true>;
using uint2 = narrow_int<2, false>;

template <class T>
inline constexpr bool is_narrow_float_v = false;
template <NarrowFloatFormat F>
inline constexpr bool is_narrow_float_v<narrow_float<F>> = true;
template <class T>
inline constexpr bool is_narrow_int_v = false;
template <int B, bool S>
inline constexpr bool is_narrow_int_v<narrow_int<B, S>> = true;

}  // namespace tandem
