// Cast and CastLike: every element converted to another element type, strings included.
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions: Cast-1 names the target type with a string ("FLOAT"), Cast-6 with the TensorProto
// number; 9 added strings, 13 bfloat16. CastLike-15 takes the type from its second input.
// 19 added the float8 types and the `saturate` attribute (float8 only: out-of-range values become
// the largest finite value, else infinity or NaN); 21 int4 and uint4; 23 float4e2m1; 24 float8e8m0
// and `round_mode` (e8m0 only); 25 int2 and uint2; Cast-28 float6e2m3 and float6e3m2. Casts among
// the narrow types follow ml_dtypes' astype, which ONNX's expected outputs come from: integers
// wrap to their low bits, float4/float6 always saturate.

// The opset a narrow type (or string, bfloat16) first appears in Cast's and CastLike's types.
int first_opset(ElementType type) {
  switch (type) {
    case ElementType::String:
      return 9;
    case ElementType::BF16:
      return 13;
    case ElementType::F8E4M3FN:
    case ElementType::F8E4M3FNUZ:
    case ElementType::F8E5M2:
    case ElementType::F8E5M2FNUZ:
      return 19;
    case ElementType::U4:
    case ElementType::I4:
      return 21;
    case ElementType::F4E2M1:
      return 23;
    case ElementType::F8E8M0:
      return 24;
    case ElementType::U2:
    case ElementType::I2:
      return 25;
    case ElementType::F6E2M3:
    case ElementType::F6E3M2:
      return 28;
    default:
      return 1;
  }
}

void check_type_in_opset(const NodeContext& ctx, ElementType type, const char* what) {
  int first = first_opset(type);
  if (ctx.opset() < first && is_narrow(type))
    throw ctx.error(ErrorKind::InvalidModel, "{} is {}, which {} accepts from opset {} on", what,
                    to_string(type), ctx.node().op_type, first);
}

struct CastOptions {
  bool saturate = true;
  RoundMode round_mode = RoundMode::Up;
  // ONNX 1.12's expected outputs (opset 13 models) truncate float to bfloat16; those of the
  // releases with Cast-19 on (ml_dtypes' astype) round to nearest even, as bfloat16(float) does.
  bool truncate_bfloat16 = true;
};

CastOptions cast_options(const NodeContext& ctx) {
  CastOptions o;
  o.truncate_bfloat16 = ctx.opset() < 19;
  if (ctx.opset() >= 19) o.saturate = ctx.attr<int64_t>("saturate", 1) != 0;
  if (ctx.opset() >= 24) {
    const auto mode = ctx.attr<std::string>("round_mode", "up");
    if (mode == "up")
      o.round_mode = RoundMode::Up;
    else if (mode == "down")
      o.round_mode = RoundMode::Down;
    else if (mode == "nearest")
      o.round_mode = RoundMode::Nearest;
    else
      throw ctx.error(ErrorKind::InvalidModel,
                      "round_mode is '{}', expected 'up', 'down' or 'nearest'", mode);
  }
  return o;
}

// The value arithmetic sees: float for the half and narrow floats, int for the narrow integers.
template <class T>
decltype(auto) cast_widen(const T& v) {
  if constexpr (is_half_v<T> || is_narrow_float_v<T>)
    return float(v);
  else if constexpr (is_narrow_int_v<T>)
    return int(v);
  else
    return (v);
}

ElementType type_from_name(const NodeContext& ctx, const std::string& name) {
  static constexpr std::array<std::pair<std::string_view, ElementType>, 14> kNames = {{
      {"FLOAT", ElementType::F32},
      {"UINT8", ElementType::U8},
      {"INT8", ElementType::I8},
      {"UINT16", ElementType::U16},
      {"INT16", ElementType::I16},
      {"INT32", ElementType::I32},
      {"INT64", ElementType::I64},
      {"STRING", ElementType::String},
      {"BOOL", ElementType::Bool},
      {"FLOAT16", ElementType::F16},
      {"DOUBLE", ElementType::F64},
      {"UINT32", ElementType::U32},
      {"UINT64", ElementType::U64},
      {"BFLOAT16", ElementType::BF16},
  }};
  for (const auto& [n, t] : kNames)
    if (n == name) return t;
  throw ctx.error(ErrorKind::InvalidModel, "attribute 'to' names an unknown type '{}'", name);
}

ElementType target_type(const NodeContext& ctx) {
  const ir::Attribute* to = ctx.node().find_attribute("to");
  if (to && std::holds_alternative<std::string>(*to))
    return type_from_name(ctx, std::get<std::string>(*to));
  const auto type = ElementType(ctx.attr<int64_t>("to"));
  if (element_size(type) == 0 || type == ElementType::C64 || type == ElementType::C128)
    throw ctx.error(ErrorKind::Unsupported, "cannot cast to element type {}", int(type));
  return type;
}

template <class T>
bool same_bits(T a, T b) {
  if constexpr (is_half_v<T> || is_narrow_float_v<T>)
    return a.bits == b.bits;
  else
    return std::bit_cast<std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>(a) ==
           std::bit_cast<std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>(b);
}

// numpy's str() of a float, which ONNX's expected outputs come from: the fewest significant
// digits that read back as the same value of T, positional for 1e-4 <= |x| < 1e16 ("0.5", "3.0"),
// else scientific with a two-digit exponent ("1e-05", "1.5e+16").
template <class T>
std::string format_float(T value) {
  const double v = double(cast_widen(value));
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buffer[40];
  for (int precision = 0; precision < 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*e", precision, v);
    if (same_bits(T(compute_t<T>(std::strtod(buffer, nullptr))), value)) break;
  }
  // buffer is "-d.ddde-XX": split it into significant digits and a decimal exponent.
  const std::string_view text = buffer;
  const size_t e = text.find('e');
  const bool negative = text[0] == '-';
  std::string digits;
  for (char c : text.substr(negative, e - negative))
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int exponent = std::atoi(buffer + e + 1);
  const std::string_view sign = negative ? "-" : "";
  const double magnitude = std::abs(v);
  if (magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    std::string_view rest = std::string_view(digits).substr(1);
    return fmt::format("{}{}{}{}e{}{:02d}", sign, digits[0], rest.empty() ? "" : ".", rest,
                       exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  if (exponent < 0) return fmt::format("{}0.{:0>{}}{}", sign, "", -exponent - 1, digits);
  const size_t whole = size_t(exponent) + 1;
  if (digits.size() <= whole) return fmt::format("{}{:0<{}}.0", sign, digits, whole);
  return fmt::format("{}{}.{}", sign, digits.substr(0, whole), digits.substr(whole));
}

template <class From>
std::string to_text(const From& v) {
  if constexpr (std::is_same_v<From, bool>)
    return v ? "True" : "False";
  else if constexpr (is_floating_v<From>)
    return format_float(v);
  else
    return std::to_string(cast_widen(v));
}

// A float to an integer: truncation toward zero; values outside int64 (and NaN) become int64's
// minimum as on x86, and the result wraps to the width of To like numpy's astype.
template <class To>
To float_to_integer(double v) {
  if constexpr (std::is_same_v<To, uint64_t>)
    if (v >= 0x1p63 && v < 0x1p64) return To(v);
  if (!(std::abs(v) < 0x1p63)) return To(std::numeric_limits<int64_t>::min());
  return To(int64_t(v));
}

// bfloat16 keeps the upper half of the float: truncation, as ONNX 1.12's Cast tests expect (see
// CastOptions::truncate_bfloat16).
bfloat16 truncate_to_bfloat16(float v) {
  const uint32_t bits = std::bit_cast<uint32_t>(v);
  if (std::isnan(v)) return bfloat16::from_bits(uint16_t((bits >> 16) | 0x40u));
  return bfloat16::from_bits(uint16_t(bits >> 16));
}

template <class To>
To from_number(const auto& x, const CastOptions& o);

template <class To>
To from_text(const std::string& s, const CastOptions& o) {
  if constexpr (is_narrow_float_v<To>) {
    return from_number<To>(std::strtod(s.c_str(), nullptr), o);
  } else if constexpr (is_narrow_int_v<To>) {
    return To(int(from_text<int64_t>(s, o)));
  } else if constexpr (std::is_same_v<To, bool>) {
    if (s == "True" || s == "true") return true;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    return end != s.c_str() && v != 0;
  } else if constexpr (std::is_integral_v<To>) {
    char* end = nullptr;
    if constexpr (std::is_signed_v<To>) {
      const long long v = std::strtoll(s.c_str(), &end, 10);
      if (*end == '\0' && end != s.c_str()) return To(v);
    } else {
      const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
      if (*end == '\0' && end != s.c_str()) return To(v);
    }
    return float_to_integer<To>(std::strtod(s.c_str(), nullptr));
  } else if constexpr (std::is_same_v<To, double>) {
    return std::strtod(s.c_str(), nullptr);
  } else {
    const float v = std::strtof(s.c_str(), nullptr);  // parses "NaN", "INF", "+INF", "-inf"
    if constexpr (std::is_same_v<To, bfloat16>)
      return o.truncate_bfloat16 ? truncate_to_bfloat16(v) : bfloat16(v);
    else
      return To(v);
  }
}

// A number (bool, integer or floating, narrow types already widened) converted to To.
template <class To>
To from_number(const auto& x, const CastOptions& o) {
  using X = std::decay_t<decltype(x)>;
  if constexpr (std::is_same_v<To, bool>)
    return x != X(0);
  else if constexpr (std::is_same_v<To, bfloat16>)
    return o.truncate_bfloat16 ? truncate_to_bfloat16(float(x)) : bfloat16(float(x));
  else if constexpr (is_half_v<To>)
    return To(float(x));
  else if constexpr (is_narrow_float_v<To>)
    return To::from_float(double(x), o.saturate, o.round_mode);
  else if constexpr (is_narrow_int_v<To> && std::is_floating_point_v<X>)
    return To(int(float_to_integer<int64_t>(double(x))));  // truncate, then keep the low bits
  else if constexpr (is_narrow_int_v<To>)
    return To(int(int64_t(x)));
  else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<X>)
    return float_to_integer<To>(double(x));
  else
    return To(x);
}

template <class To, class From>
To convert(const From& v, const CastOptions& o) {
  if constexpr (std::is_same_v<From, To>)
    return v;
  else if constexpr (std::is_same_v<From, std::string>)
    return from_text<To>(v, o);
  else if constexpr (std::is_same_v<To, std::string>)
    return to_text(v);
  else
    return from_number<To>(cast_widen(v), o);
}

void cast(const Tensor& in, Tensor& out, const CastOptions& o) {
  visit_types<kAllNew>(in.element_type(), [&]<class From>() {
    visit_types<kAllNew>(out.element_type(), [&]<class To>() {
      auto x = in.span<const From>();
      auto y = out.span<To>();
      for (size_t i = 0; i < x.size(); ++i) y[i] = convert<To>(x[i], o);
    });
  });
}

void infer_cast(InferContext& ctx) {
  const ElementType to = target_type(ctx);
  check_type_in_opset(ctx, to, "attribute 'to'");
  if (ctx.input_type(0) != ElementType::Undefined)
    check_type_in_opset(ctx, ctx.input_type(0), "input 0");
  cast_options(ctx);  // rejects a bad round_mode before run time
  ctx.set_output(0, to, ctx.input_shape(0));
}

void infer_cast_like(InferContext& ctx) {
  for (int i : {0, 1})
    if (ctx.input_type(i) != ElementType::Undefined)
      check_type_in_opset(ctx, ctx.input_type(i), i ? "input 1" : "input 0");
  cast_options(ctx);
  ctx.set_output(0, ctx.input_type(1), ctx.input_shape(0));
}

}  // namespace

const OpDef& cast_op() {
  static const OpDef def{.name = "Cast",
                         .versions = {1, 6, 9, 13, 19, 21, 23, 24, 25, 28},
                         .infer = infer_cast,
                         .reference = [](KernelContext& ctx) {
                           cast(ctx.input(0), ctx.output(0), cast_options(ctx));
                         }};
  return def;
}

const OpDef& cast_like_op() {
  static const OpDef def{.name = "CastLike",
                         .versions = {15, 19, 21, 23, 24, 25},
                         .infer = infer_cast_like,
                         .reference = [](KernelContext& ctx) {
                           cast(ctx.input(0), ctx.output(0), cast_options(ctx));
                         }};
  return def;
}

}  // namespace tandem::ops
