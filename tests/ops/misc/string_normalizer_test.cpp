// StringNormalizer: case-insensitive stop words, Unicode case mapping, the all-removed shapes.
#include <string>
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(StringNormalizer, CaseInsensitiveStopWordsAndLowering) {
  auto c = OpCase("StringNormalizer", 10)
               .attr("case_change_action", "LOWER")
               .attr("stopwords", std::vector<std::string>{"THE", "a"})
               .input<std::string>({1, 5}, {"The", "Quick", "A", "the", "Fox"});
  expect_tensor<std::string>(c.run_tensor(), {1, 2}, {"quick", "fox"});
}

TEST(StringNormalizer, CaseSensitiveKeepsOtherSpellings) {
  auto c = OpCase("StringNormalizer", 10)
               .attr("is_case_sensitive", 1)
               .attr("stopwords", std::vector<std::string>{"the"})
               .input<std::string>({3}, {"the", "The", "x"});
  expect_tensor<std::string>(c.run_tensor(), {2}, {"The", "x"});
}

TEST(StringNormalizer, UpperCasesBeyondAscii) {
  auto c = OpCase("StringNormalizer", 10)
               .attr("case_change_action", "UPPER")
               .input<std::string>({2}, {"café", "ñandú"});
  expect_tensor<std::string>(c.run_tensor(), {2}, {"CAFÉ", "ÑANDÚ"});
}

TEST(StringNormalizer, RemovingEverythingLeavesOneEmptyString) {
  auto row = OpCase("StringNormalizer", 10)
                 .attr("stopwords", std::vector<std::string>{"x"})
                 .input<std::string>({1, 2}, {"x", "X"});
  expect_tensor<std::string>(row.run_tensor(), {1, 1}, {""});
}

TEST(StringNormalizer, RejectsOtherShapesAndActions) {
  auto shape = OpCase("StringNormalizer", 10).input<std::string>({2, 1}, {"a", "b"});
  EXPECT_THROW_KIND(shape.run(), ErrorKind::InvalidModel, "must be [C] or [1, C]");
  auto action = OpCase("StringNormalizer", 10)
                    .attr("case_change_action", "TITLE")
                    .input<std::string>({1}, {"a"});
  EXPECT_THROW_KIND(action.run(), ErrorKind::InvalidModel, "case_change_action");
}

}  // namespace
}  // namespace tandem::testing
