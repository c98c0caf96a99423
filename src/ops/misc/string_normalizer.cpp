// StringNormalizer (opset 10): drops the stop words from a [C] or [1, C] string tensor, then
// lower- or upper-cases what remains. If nothing remains the output is one empty string, [1] or
// [1, 1]. Case mapping is Unicode-aware (UTF-8 decoded, mapped with the locale's wide ctype).
#include <cwctype>
#include <locale>
#include <set>
#include <string>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

enum class CaseAction { None, Lower, Upper };

CaseAction case_action(const NodeContext& ctx) {
  const std::string action = ctx.attr<std::string>("case_change_action", "NONE");
  if (action == "NONE") return CaseAction::None;
  if (action == "LOWER") return CaseAction::Lower;
  if (action == "UPPER") return CaseAction::Upper;
  throw ctx.error(ErrorKind::InvalidModel,
                  "case_change_action must be NONE, LOWER or UPPER, got '{}'", action);
}

void check_shape(const NodeContext& ctx, const PartialShape& s) {
  if (!s.rank_known()) return;
  if (s.rank() == 1) return;
  if (s.rank() == 2 && (!s[0].is_static() || s[0].value == 1)) return;
  throw ctx.error(ErrorKind::InvalidModel, "input must be [C] or [1, C], got {}", to_string(s));
}

void infer(InferContext& ctx) {
  case_action(ctx);
  if (ctx.input_type(0) != ElementType::String)
    throw ctx.error(ErrorKind::InvalidModel, "input must be a string tensor, got {}",
                    to_string(ctx.input_type(0)));
  const PartialShape& s = ctx.input_shape(0);
  check_shape(ctx, s);
  // How many strings survive is known only once they are read.
  if (s.rank_known() && s.rank() == 2)
    ctx.set_output(0, ElementType::String, PartialShape({Dimension(1), Dimension()}));
  else
    ctx.set_output(0, ElementType::String, PartialShape::of_rank(1));
}

// The locale named by the attribute ("en_US" by default), with UTF-8 encoding; where the system
// lacks it, C.UTF-8, whose case tables cover Unicode as well.
std::locale locale_of(const std::string& name) {
  for (const std::string& candidate : {name + ".UTF-8", name, std::string("C.UTF-8")}) {
    try {
      return std::locale(candidate);
    } catch (const std::runtime_error&) {
    }
  }
  return std::locale::classic();
}

std::u32string decode_utf8(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    char32_t cp = extra == 0 ? c : extra == 1 ? c & 0x1F : extra == 2 ? c & 0x0F : c & 0x07;
    size_t j = 1;
    for (; j <= size_t(extra) && i + j < s.size() && (s[i + j] & 0xC0) == 0x80; ++j)
      cp = (cp << 6) | (s[i + j] & 0x3F);
    if (j != size_t(extra) + 1 || (c >= 0x80 && c < 0xC0)) cp = c;  // invalid: keep the byte
    out.push_back(cp);
    i += j;
  }
  return out;
}

std::string encode_utf8(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp < 0x80) {
      out.push_back(char(cp));
    } else if (cp < 0x800) {
      out.push_back(char(0xC0 | (cp >> 6)));
      out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(char(0xE0 | (cp >> 12)));
      out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(char(0xF0 | (cp >> 18)));
      out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(char(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

class CaseMapper {
 public:
  explicit CaseMapper(const std::string& locale_name)
      : locale_(locale_of(locale_name)), ctype_(std::use_facet<std::ctype<wchar_t>>(locale_)) {}

  std::string apply(const std::string& s, CaseAction action) const {
    if (action == CaseAction::None) return s;
    std::u32string text = decode_utf8(s);
    for (char32_t& c : text) {
      const wchar_t w = wchar_t(c);
      c = char32_t(action == CaseAction::Lower ? ctype_.tolower(w) : ctype_.toupper(w));
    }
    return encode_utf8(text);
  }

 private:
  std::locale locale_;
  const std::ctype<wchar_t>& ctype_;
};

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  check_shape(ctx, PartialShape(x.shape()));
  const CaseAction action = case_action(ctx);
  const bool case_sensitive = ctx.attr<int64_t>("is_case_sensitive", 0) != 0;
  const CaseMapper mapper(ctx.attr<std::string>("locale", "en_US"));
  // Without case sensitivity words compare in the case the output takes (upper when unchanged).
  const CaseAction compare = action == CaseAction::Lower ? CaseAction::Lower : CaseAction::Upper;
  std::set<std::string> stopwords;
  for (const std::string& w : ctx.attr<std::vector<std::string>>("stopwords", {}))
    stopwords.insert(case_sensitive ? w : mapper.apply(w, compare));

  std::vector<std::string> kept;
  for (const std::string& s : x.span<const std::string>()) {
    if (!stopwords.empty() && stopwords.count(case_sensitive ? s : mapper.apply(s, compare)))
      continue;
    kept.push_back(mapper.apply(s, action));
  }
  if (kept.empty()) kept.emplace_back();
  const int64_t count = int64_t(kept.size());
  Tensor& y =
      ctx.allocate_output(0, ElementType::String, x.rank() == 2 ? Shape{1, count} : Shape{count});
  std::move(kept.begin(), kept.end(), y.span<std::string>().begin());
}

}  // namespace

const OpDef& string_normalizer_op() {
  static const OpDef def{
      .name = "StringNormalizer", .versions = {10}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
