// FlexAttention (ai.onnx.preview): plain attention without modifiers, and its shape rules.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(FlexAttention, WithoutModifiersIsScaledDotProductAttention) {
  auto c = OpCase("FlexAttention", 1, "ai.onnx.preview")
               .attr("scale", 1.0f)
               .input<float>({1, 1, 1, 1}, {1})
               .input<float>({1, 1, 2, 1}, {0, 1})
               .input<float>({1, 1, 2, 1}, {10, 20});
  const double e = std::exp(1.0);
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 1}, {float((10 + 20 * e) / (1 + e))});
}

TEST(FlexAttention, InputsMustBe4D) {
  auto c = OpCase("FlexAttention", 1, "ai.onnx.preview")
               .input<float>({1, 1, 1}, {1})
               .input<float>({1, 1, 1}, {1})
               .input<float>({1, 1, 1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "must be 4-D");
}

}  // namespace
}  // namespace tandem::testing
