// RegexFullMatch (opset 20): whole-string matching, invalid patterns, over-long inputs.
#include <string>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(RegexFullMatch, MatchesTheWholeString) {
  auto c = OpCase("RegexFullMatch", 20)
               .attr("pattern", "[a-z]+\\d{2}")
               .input<std::string>({2, 2}, {"ab12", "ab123", "Ab12", ""});
  expect_tensor<bool>(c.run_tensor(), {2, 2}, {true, false, false, false});
}

TEST(RegexFullMatch, InvalidPatternIsInvalidModel) {
  auto c = OpCase("RegexFullMatch", 20).attr("pattern", "(a").input<std::string>({1}, {"a"});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "invalid pattern");
}

TEST(RegexFullMatch, OverlongStringIsRefusedNotACrash) {
  auto c = OpCase("RegexFullMatch", 20)
               .attr("pattern", "(a|b)*")
               .input<std::string>({1}, {std::string(100000, 'a')});
  EXPECT_THROW_KIND(c.run(), ErrorKind::Unsupported, "bytes");
}

}  // namespace
}  // namespace tandem::testing
