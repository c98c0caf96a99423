// StringSplit (opset 20): Python's str.split with and without a delimiter, maxsplit, padding.
#include <string>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

using Strings = std::vector<std::string>;

TEST(StringSplit, DelimiterKeepsEmptyPieces) {
  auto c = OpCase("StringSplit", 20)
               .attr("delimiter", "::")
               .input<std::string>({3}, {"a::b::", "", "::"})
               .outputs(2);
  auto y = c.run();
  expect_tensor<std::string>(y[0].tensor(), {3, 3}, Strings{"a", "b", "", "", "", "", "", "", ""});
  expect_tensor<int64_t>(y[1].tensor(), {3}, {3, 1, 2});
}

TEST(StringSplit, WhitespaceRunsSeparateAndEmptyStringsHaveNoPieces) {
  auto c = OpCase("StringSplit", 20)
               .input<std::string>({2}, {" \t a \n b  ", "   "})
               .outputs(2);
  auto y = c.run();
  expect_tensor<std::string>(y[0].tensor(), {2, 2}, Strings{"a", "b", "", ""});
  expect_tensor<int64_t>(y[1].tensor(), {2}, {2, 0});
}

TEST(StringSplit, MaxsplitKeepsTheRemainder) {
  auto c = OpCase("StringSplit", 20)
               .attr("maxsplit", 1)
               .input<std::string>({2}, {"  a b  c ", "x,y,z"})
               .outputs(2);
  auto y = c.run();
  expect_tensor<std::string>(y[0].tensor(), {2, 2}, Strings{"a", "b  c ", "x,y,z", ""});
  expect_tensor<int64_t>(y[1].tensor(), {2}, {2, 1});
}

TEST(StringSplit, UnicodeWhitespaceSeparates) {
  // U+00A0 (no-break space) and U+3000 (ideographic space), as Python's str.split.
  auto c = OpCase("StringSplit", 20).input<std::string>({1}, {"a\xC2\xA0" "b\xE3\x80\x80" "c"});
  expect_tensor<std::string>(c.run_tensor(), {1, 3}, Strings{"a", "b", "c"});
}

TEST(StringSplit, ScalarInputGivesOneAxis) {
  auto c = OpCase("StringSplit", 20).attr("delimiter", ".").input<std::string>({}, {"a.b"});
  expect_tensor<std::string>(c.run_tensor(), {2}, Strings{"a", "b"});
}

}  // namespace
}  // namespace tandem::testing
