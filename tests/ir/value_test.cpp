// Value: maps and sequences of maps, and the errors of asking a value for the wrong kind.
#include "tandem/value.h"

#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

Value string_map(std::vector<std::string> keys, std::vector<float> values) {
  const auto n = int64_t(keys.size());
  return Value::map(Tensor::from(std::move(keys), {n}), Tensor::from(std::move(values), {n}));
}

TEST(ValueMap, HoldsKeysAndValues) {
  Value m = string_map({"a", "b"}, {1, 2});
  EXPECT_TRUE(m.is_map());
  EXPECT_EQ(m.kind(), ValueKind::Map);
  EXPECT_EQ(m.map_keys().span<std::string>()[1], "b");
  expect_tensor<float>(m.map_values(), {2}, {1, 2});
  EXPECT_THROW_KIND(m.tensor(), ErrorKind::InvalidArgument, "expected a tensor, got a map");
}

TEST(ValueMap, KeysMustBeInt64OrStringAndMatchTheValues) {
  EXPECT_THROW_KIND(Value::map(Tensor::from<float>({1, 2}), Tensor::from<float>({1, 2})),
                    ErrorKind::InvalidArgument, "keys must be int64 or string");
  EXPECT_THROW_KIND(Value::map(Tensor::from<int64_t>({1, 2}), Tensor::from<float>({1, 2, 3})),
                    ErrorKind::InvalidArgument, "1-D keys and values of one length");
}

TEST(ValueMap, SequenceOfMaps) {
  Value seq = Value::map_sequence({string_map({"a"}, {1}), string_map({"b"}, {2})},
                                  ElementType::String, ElementType::F32);
  EXPECT_TRUE(seq.is_sequence());
  EXPECT_TRUE(seq.is_map_sequence());
  EXPECT_EQ(seq.map_items().size(), 2u);
  EXPECT_EQ(seq.sequence_key_type(), ElementType::String);
  EXPECT_EQ(seq.sequence_element_type(), ElementType::F32);
  EXPECT_THROW_KIND(seq.items(), ErrorKind::InvalidArgument, "got a sequence of maps");
  EXPECT_THROW_KIND(
      Value::map_sequence({string_map({"a"}, {1})}, ElementType::I64, ElementType::F32),
      ErrorKind::InvalidArgument, "sequence item 0 is not a map(i64,f32)");
  Value tensors = Value::sequence({}, ElementType::F32);
  EXPECT_FALSE(tensors.is_map_sequence());
  EXPECT_THROW_KIND(tensors.map_items(), ErrorKind::InvalidArgument, "expected a sequence of maps");
}

TEST(ValueMap, TypeToString) {
  EXPECT_EQ(
      to_string(ValueType::sequence_of(ValueType::map_of(ElementType::I64, ElementType::F32))),
      "seq(map(i64,f32[...]))");
}

}  // namespace
}  // namespace tandem::testing
