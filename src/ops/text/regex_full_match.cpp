// RegexFullMatch (opset 20): whether each string matches the pattern as a whole.
//
// ONNX specifies RE2 syntax; this matches with std::regex's ECMAScript grammar, which agrees with
// RE2 on the common core (classes, \w \d \s \b, groups, alternation, counted repetition). RE2-only
// syntax ((?i), (?P<name>), \A, \z, \pL) is refused as an invalid pattern, and matching is by
// byte, so a single '.' does not cover a multi-byte UTF-8 character as it does in RE2.
#include <regex>
#include <string>

#include "ops/op.h"

namespace tandem::ops {
namespace {

// libstdc++ matches by recursion, about 200 bytes of stack per input byte: longer strings would
// overflow the stack of a worker thread, so they are refused instead.
constexpr size_t kMaxLength = 4096;

std::regex compile(const NodeContext& ctx) {
  const std::string pattern = ctx.attr<std::string>("pattern");
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw ctx.error(ErrorKind::InvalidModel, "invalid pattern '{}': {}", pattern, e.what());
  }
}

void infer(InferContext& ctx) {
  if (ElementType t = ctx.input_type(0); t != ElementType::Undefined && t != ElementType::String)
    throw ctx.error(ErrorKind::InvalidModel, "input must be a string tensor, got {}", to_string(t));
  compile(ctx);
  ctx.set_output(0, ElementType::Bool, ctx.input_shape(0));
}

void reference(KernelContext& ctx) {
  const std::regex regex = compile(ctx);
  auto x = ctx.input(0).span<const std::string>();
  auto y = ctx.output(0).span<bool>();
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].size() > kMaxLength)
      throw ctx.error(ErrorKind::Unsupported, "string {} has {} bytes; at most {} can be matched",
                      i, x[i].size(), kMaxLength);
    try {
      y[i] = std::regex_match(x[i], regex);
    } catch (const std::regex_error& e) {
      throw ctx.error(ErrorKind::Runtime, "matching string {} failed: {}", i, e.what());
    }
  }
}

}  // namespace

const OpDef& regex_full_match_op() {
  static const OpDef def{
      .name = "RegexFullMatch", .versions = {20}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
