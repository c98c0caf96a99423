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
  if constexpr (is_half_v<T>)
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
  const double v = double(widen(value));
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
    return std::to_string(v);
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

// bfloat16 keeps the upper half of the float: truncation, as ONNX 1.12's Cast tests expect.
bfloat16 truncate_to_bfloat16(float v) {
  const uint32_t bits = std::bit_cast<uint32_t>(v);
  if (std::isnan(v)) return bfloat16::from_bits(uint16_t((bits >> 16) | 0x40u));
  return bfloat16::from_bits(uint16_t(bits >> 16));
}

template <class To>
To from_text(const std::string& s) {
  if constexpr (std::is_same_v<To, bool>) {
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
      return truncate_to_bfloat16(v);
    else
      return To(v);
  }
}

template <class To, class From>
To convert(const From& v) {
  if constexpr (std::is_same_v<From, To>) {
    return v;
  } else if constexpr (std::is_same_v<From, std::string>) {
    return from_text<To>(v);
  } else if constexpr (std::is_same_v<To, std::string>) {
    return to_text(v);
  } else {
    const auto x = widen(v);
    using X = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<To, bool>)
      return x != X(0);
    else if constexpr (std::is_same_v<To, bfloat16>)
      return truncate_to_bfloat16(float(x));
    else if constexpr (is_half_v<To>)
      return To(float(x));
    else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<X>)
      return float_to_integer<To>(double(x));
    else
      return To(x);
  }
}

void cast(const Tensor& in, Tensor& out) {
  visit_all(in.element_type(), [&]<class From>() {
    visit_all(out.element_type(), [&]<class To>() {
      auto x = in.span<const From>();
      auto y = out.span<To>();
      for (size_t i = 0; i < x.size(); ++i) y[i] = convert<To>(x[i]);
    });
  });
}

void infer_cast(InferContext& ctx) { ctx.set_output(0, target_type(ctx), ctx.input_shape(0)); }

void infer_cast_like(InferContext& ctx) {
  ctx.set_output(0, ctx.input_type(1), ctx.input_shape(0));
}

}  // namespace

const OpDef& cast_op() {
  static const OpDef def{
      .name = "Cast",
      .versions = {1, 6, 9, 13},
      .infer = infer_cast,
      .reference = [](KernelContext& ctx) { cast(ctx.input(0), ctx.output(0)); }};
  return def;
}

const OpDef& cast_like_op() {
  static const OpDef def{
      .name = "CastLike",
      .versions = {15},
      .infer = infer_cast_like,
      .reference = [](KernelContext& ctx) { cast(ctx.input(0), ctx.output(0)); }};
  return def;
}

}  // namespace tandem::ops
