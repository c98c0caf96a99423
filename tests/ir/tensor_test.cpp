// Tensor storage, element types and the half-precision conversions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ops/op_case.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

TEST(Float16, RoundTripsExactValuesAndRoundsToNearestEven) {
  for (float v : {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f /* min normal */,
                  5.9604644775390625e-08f /* min subnormal */})
    EXPECT_EQ(float(float16(v)), v) << v;
  EXPECT_EQ(float16(1.0f + 1.0f / 4096).bits, float16(1.0f).bits);            // halfway: to even
  EXPECT_EQ(float16(1.0f + 3.0f / 2048).bits, uint16_t(float16(1.0f).bits + 2));  // 1.5 ulp: to even (up)
  EXPECT_TRUE(std::isinf(float(float16(65520.0f))));
  EXPECT_TRUE(std::isnan(float(float16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(float16(1e-9f).bits, 0);
}

TEST(BFloat16, KeepsTheUpperHalfRounded) {
  EXPECT_EQ(float(bfloat16(1.0f)), 1.0f);
  EXPECT_EQ(float(bfloat16(3.140625f)), 3.140625f);
  EXPECT_EQ(bfloat16(1.0f + 1.0f / 256).bits, bfloat16(1.0f).bits);  // halfway: to even
  EXPECT_TRUE(std::isnan(float(bfloat16(std::numeric_limits<float>::quiet_NaN()))));
}

TEST(Tensor, AllocatesZeroedAlignedMemory) {
  Tensor t(ElementType::F32, {3, 5});
  EXPECT_EQ(t.size(), 15);
  EXPECT_EQ(t.byte_size(), 60u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
  for (float v : t.span<float>()) EXPECT_EQ(v, 0.0f);
}

TEST(Tensor, CopiesShareAndCloneCopies) {
  Tensor a = Tensor::from<int64_t>({1, 2, 3});
  Tensor shared = a;
  Tensor copy = a.clone();
  a.data<int64_t>()[0] = 9;
  EXPECT_EQ(shared.data<int64_t>()[0], 9);
  EXPECT_EQ(copy.data<int64_t>()[0], 1);
}

TEST(Tensor, StringsAreElements) {
  Tensor t(ElementType::String, {2});
  t.span<std::string>()[1] = "tandem";
  EXPECT_EQ(t.clone().span<std::string>()[1], "tandem");
}

TEST(Tensor, WrongTypeAccessAndBadReshapeThrow) {
  Tensor t(ElementType::F32, {2, 2});
  EXPECT_THROW_KIND(t.data<int32_t>(), ErrorKind::InvalidArgument, "tensor of type f32 accessed as i32");
  EXPECT_THROW_KIND(t.reshaped({3}), ErrorKind::InvalidArgument, "cannot reshape [2,2] to [3]");
  EXPECT_EQ(t.reshaped({4}).shape(), (Shape{4}));
  EXPECT_THROW_KIND(Tensor(ElementType::F32, {-1}), ErrorKind::InvalidArgument, "negative dimension");
}

TEST(Tensor, ScalarsAndConversions) {
  EXPECT_EQ(Tensor::scalar<int32_t>(7).scalar<int64_t>(), 7);
  EXPECT_EQ(Tensor::from<bool>({true, false}).to_int64(), (std::vector<int64_t>{1, 0}));
  EXPECT_THROW_KIND(Tensor::from<float>({1, 2}).scalar<float>(), ErrorKind::InvalidArgument, "single value");
}

TEST(PartialShape, PrintsAndMatches) {
  PartialShape s({Dimension::named("batch"), Dimension(3), Dimension()});
  EXPECT_EQ(to_string(s), "[batch,3,?]");
  EXPECT_TRUE(s.compatible({8, 3, 5}));
  EXPECT_FALSE(s.compatible({8, 4, 5}));
  EXPECT_FALSE(s.compatible({8, 3}));
  EXPECT_EQ(to_string(PartialShape()), "[...]");
  EXPECT_TRUE(PartialShape().compatible({1, 2, 3}));
}

TEST(ValueType, Prints) {
  EXPECT_EQ(to_string(ValueType::sequence_of(ValueType::tensor(ElementType::I64, PartialShape({2})))),
            "seq(i64[2])");
  EXPECT_EQ(to_string(ValueType::optional_of(ValueType::tensor(ElementType::F16, PartialShape(Shape{})))),
            "optional(f16[])");
}

}  // namespace
}  // namespace tandem
