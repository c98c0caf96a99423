// StringSplit (opset 20): splits every string of a tensor on a delimiter, as Python's str.split.
// Output 0 has one more axis, as long as the most pieces any string gave, padded with empty
// strings; output 1 counts the pieces of each string.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "ops/op.h"

namespace tandem::ops {
namespace {

// Without a delimiter (or with ""), runs of whitespace separate and leading and trailing
// whitespace is dropped; with one, every occurrence separates, so "a--b" gives "a", "", "b".
// maxsplit bounds the number of splits; what remains after the last one is the final piece.

// The length of the whitespace character at s[i] (UTF-8, as Python's str.isspace), or 0.
size_t whitespace_at(std::string_view s, size_t i) {
  const unsigned char c = s[i];
  if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F)) return 1;
  auto next = [&](size_t k) { return i + k < s.size() ? (unsigned char)s[i + k] : 0; };
  if (c == 0xC2 && (next(1) == 0x85 || next(1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (c == 0xE1 && next(1) == 0x9A && next(2) == 0x80) return 3;    // U+1680
  if (c == 0xE2 && next(1) == 0x80) {
    const unsigned char d = next(2);
    if (d <= 0x8A || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;  // U+2000-200A, 2028/9, 202F
  }
  if (c == 0xE2 && next(1) == 0x81 && next(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && next(1) == 0x80 && next(2) == 0x80) return 3;  // U+3000
  return 0;
}

size_t skip_whitespace(std::string_view s, size_t i) {
  while (i < s.size()) {
    const size_t n = whitespace_at(s, i);
    if (n == 0) break;
    i += n;
  }
  return i;
}

std::vector<std::string_view> split_whitespace(std::string_view s, int64_t maxsplit) {
  std::vector<std::string_view> pieces;
  size_t i = 0;
  for (; maxsplit > 0; --maxsplit) {
    i = skip_whitespace(s, i);
    if (i == s.size()) break;
    const size_t start = i;
    while (i < s.size() && whitespace_at(s, i) == 0) ++i;
    pieces.push_back(s.substr(start, i - start));
  }
  i = skip_whitespace(s, i);
  if (i < s.size()) pieces.push_back(s.substr(i));
  return pieces;
}

std::vector<std::string_view> split_on(std::string_view s, std::string_view delimiter,
                                       int64_t maxsplit) {
  std::vector<std::string_view> pieces;
  size_t i = 0;
  for (; maxsplit > 0; --maxsplit) {
    const size_t at = s.find(delimiter, i);
    if (at == std::string_view::npos) break;
    pieces.push_back(s.substr(i, at - i));
    i = at + delimiter.size();
  }
  pieces.push_back(s.substr(i));
  return pieces;
}

void infer(InferContext& ctx) {
  if (ElementType t = ctx.input_type(0); t != ElementType::Undefined && t != ElementType::String)
    throw ctx.error(ErrorKind::InvalidModel, "input must be a string tensor, got {}", to_string(t));
  const PartialShape& x = ctx.input_shape(0);
  // The number of pieces is known only once the strings are split.
  PartialShape pieces;
  if (x.rank_known()) {
    std::vector<Dimension> dims = x.dims();
    dims.emplace_back();
    pieces = PartialShape(std::move(dims));
  }
  ctx.set_output(0, ElementType::String, std::move(pieces));
  if (ctx.has_output(1)) ctx.set_output(1, ElementType::I64, x);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::string delimiter = ctx.attr<std::string>("delimiter", "");
  // A negative maxsplit means no limit, as in Python.
  int64_t maxsplit = ctx.attr<int64_t>("maxsplit", -1);
  if (maxsplit < 0) maxsplit = std::numeric_limits<int64_t>::max();

  auto strings = x.span<const std::string>();
  std::vector<std::vector<std::string_view>> pieces(strings.size());
  int64_t widest = 0;
  for (size_t i = 0; i < strings.size(); ++i) {
    pieces[i] = delimiter.empty() ? split_whitespace(strings[i], maxsplit)
                                  : split_on(strings[i], delimiter, maxsplit);
    widest = std::max(widest, int64_t(pieces[i].size()));
  }

  Shape shape = x.shape();
  shape.push_back(widest);
  auto out = ctx.allocate_output(0, ElementType::String, shape).span<std::string>();
  for (size_t i = 0; i < pieces.size(); ++i)
    for (size_t k = 0; k < pieces[i].size(); ++k) out[i * size_t(widest) + k] = pieces[i][k];
  if (!ctx.has_output(1)) return;
  auto counts = ctx.allocate_output(1, ElementType::I64, x.shape()).span<int64_t>();
  for (size_t i = 0; i < pieces.size(); ++i) counts[i] = int64_t(pieces[i].size());
}

}  // namespace

const OpDef& string_split_op() {
  static const OpDef def{
      .name = "StringSplit", .versions = {20}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
