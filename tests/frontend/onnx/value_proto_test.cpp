// MapProto files: maps and sequences of maps written and read back, with and without the
// declared type.
#include "frontend/onnx/value_proto.h"

#include <gtest/gtest.h>

#include "frontend/onnx/test_files.h"

namespace tandem {
namespace {
using tandem::testing::TempDir;

Value string_map(std::vector<std::string> keys, std::vector<double> values) {
  const auto n = int64_t(keys.size());
  return Value::map(Tensor::from(std::move(keys), {n}), Tensor::from(std::move(values), {n}));
}

TEST(MapProto, MapRoundTrips) {
  TempDir dir;
  const std::string path = (dir.path() / "map.pb").string();
  onnx_frontend::write_value_file(path, string_map({"a", "b"}, {1.5, -2}), false, "m");
  const ValueType declared = ValueType::map_of(ElementType::String, ElementType::F64);
  for (const ValueType* expected : {static_cast<const ValueType*>(nullptr), &declared}) {
    Value v = onnx_frontend::read_value_file(path, expected);
    ASSERT_TRUE(v.is_map());
    EXPECT_EQ(v.map_keys().span<std::string>()[1], "b");
    EXPECT_EQ(v.map_values().span<double>()[0], 1.5);
    EXPECT_EQ(v.map_values().span<double>()[1], -2);
  }
}

TEST(MapProto, SequenceOfMapsRoundTrips) {
  TempDir dir;
  const std::string path = (dir.path() / "seq.pb").string();
  Value a =
      Value::map(Tensor::from<int64_t>({0, 1}, {2}), Tensor::from<float>({0.25f, 0.75f}, {2}));
  Value b = Value::map(Tensor::from<int64_t>({0, 1}, {2}), Tensor::from<float>({1, 0}, {2}));
  onnx_frontend::write_value_file(path,
                                  Value::map_sequence({a, b}, ElementType::I64, ElementType::F32));
  Value v = onnx_frontend::read_value_file(path);
  ASSERT_TRUE(v.is_map_sequence());
  ASSERT_EQ(v.map_items().size(), 2u);
  EXPECT_EQ(v.map_items()[1].map_values().span<float>()[0], 1.0f);
  EXPECT_EQ(v.map_items()[0].map_keys().span<int64_t>()[1], 1);
}

TEST(MapProto, EmptyMapNeedsItsDeclaredType) {
  TempDir dir;
  const std::string path = (dir.path() / "empty.pb").string();
  onnx_frontend::write_value_file(
      path, Value::map(Tensor(ElementType::I64, {0}), Tensor(ElementType::F32, {0})));
  const ValueType declared = ValueType::map_of(ElementType::I64, ElementType::F32);
  Value v = onnx_frontend::read_value_file(path, &declared);
  ASSERT_TRUE(v.is_map());
  EXPECT_EQ(v.map_values().element_type(), ElementType::F32);
  try {
    onnx_frontend::read_value_file(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("value type is not declared"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tandem
