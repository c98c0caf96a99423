// StringConcat (opset 20): broadcasting both ways, empty tensors, non-string input.
#include <string>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

using Strings = std::vector<std::string>;

TEST(StringConcat, BroadcastsBothWays) {
  auto c = OpCase("StringConcat", 20)
               .input<std::string>({2, 1}, {"a", "b"})
               .input<std::string>({3}, {"x", "", "z"});
  expect_tensor<std::string>(c.run_tensor(), {2, 3}, Strings{"ax", "a", "az", "bx", "b", "bz"});
}

TEST(StringConcat, EmptyTensor) {
  auto c = OpCase("StringConcat", 20).input<std::string>({0}, {}).input<std::string>({1}, {"s"});
  expect_tensor<std::string>(c.run_tensor(), {0}, Strings{});
}

TEST(StringConcat, NumbersAreInvalid) {
  auto c = OpCase("StringConcat", 20).input<std::string>({1}, {"a"}).input<float>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "input 1 must be a string tensor");
}

}  // namespace
}  // namespace tandem::testing
