// TensorProto to Tensor: typed fields of every element type, raw data without copies, bad sizes.
#include "frontend/onnx/tensor_proto.h"

#include <gtest/gtest.h>

#include <cstring>

namespace tandem::onnx_frontend {
namespace {
const TensorSource kSource{"test.onnx"};

onnx::TensorProto make_proto(onnx::TensorProto::DataType type, std::vector<int64_t> dims,
                             std::string name = "t") {
  onnx::TensorProto p;
  p.set_name(name);
  p.set_data_type(type);
  for (int64_t d : dims) p.add_dims(d);
  return p;
}

template <class F>
void expect_error(F&& f, ErrorKind kind, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error thrown; expected one containing '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(TensorProto, FloatData) {
  auto p = make_proto(onnx::TensorProto::FLOAT, {2, 2});
  for (float v : {1.f, 2.f, 3.f, 4.f}) p.add_float_data(v);
  Tensor t = tensor_from_proto(p, kSource);
  EXPECT_EQ(t.shape(), (Shape{2, 2}));
  EXPECT_EQ(std::vector<float>(t.span<float>().begin(), t.span<float>().end()),
            (std::vector<float>{1, 2, 3, 4}));
}

TEST(TensorProto, Int32DataHoldsSmallIntegersBoolAndHalfBits) {
  auto i8 = make_proto(onnx::TensorProto::INT8, {3});
  for (int v : {-128, 0, 127}) i8.add_int32_data(v);
  EXPECT_EQ(tensor_from_proto(i8, kSource).to_int64(), (std::vector<int64_t>{-128, 0, 127}));

  auto u16 = make_proto(onnx::TensorProto::UINT16, {2});
  for (int v : {0, 65535}) u16.add_int32_data(v);
  EXPECT_EQ(tensor_from_proto(u16, kSource).to_int64(), (std::vector<int64_t>{0, 65535}));

  auto b = make_proto(onnx::TensorProto::BOOL, {3});
  for (int v : {0, 1, 5}) b.add_int32_data(v);
  EXPECT_EQ(tensor_from_proto(b, kSource).to_int64(), (std::vector<int64_t>{0, 1, 1}));

  auto f16 = make_proto(onnx::TensorProto::FLOAT16, {2});
  f16.add_int32_data(float16(1.5f).bits);
  f16.add_int32_data(float16(-2.0f).bits);
  Tensor h = tensor_from_proto(f16, kSource);
  EXPECT_EQ(h.to_double(), (std::vector<double>{1.5, -2.0}));

  auto bf16 = make_proto(onnx::TensorProto::BFLOAT16, {1});
  bf16.add_int32_data(bfloat16(3.0f).bits);
  EXPECT_EQ(tensor_from_proto(bf16, kSource).to_double(), (std::vector<double>{3.0}));
}

TEST(TensorProto, WideFields) {
  auto i64 = make_proto(onnx::TensorProto::INT64, {2});
  i64.add_int64_data(-5);
  i64.add_int64_data(int64_t(1) << 40);
  EXPECT_EQ(tensor_from_proto(i64, kSource).to_int64(), (std::vector<int64_t>{-5, int64_t(1) << 40}));

  auto u32 = make_proto(onnx::TensorProto::UINT32, {1});
  u32.add_uint64_data(4000000000u);
  EXPECT_EQ(tensor_from_proto(u32, kSource).to_int64(), (std::vector<int64_t>{4000000000}));

  auto u64 = make_proto(onnx::TensorProto::UINT64, {1});
  u64.add_uint64_data(~uint64_t(0));
  EXPECT_EQ(tensor_from_proto(u64, kSource).span<uint64_t>()[0], ~uint64_t(0));

  auto f64 = make_proto(onnx::TensorProto::DOUBLE, {});
  f64.add_double_data(0.25);
  Tensor scalar = tensor_from_proto(f64, kSource);
  EXPECT_EQ(scalar.rank(), 0u);
  EXPECT_EQ(scalar.scalar<double>(), 0.25);

  auto c64 = make_proto(onnx::TensorProto::COMPLEX64, {1});
  c64.add_float_data(1);
  c64.add_float_data(-1);
  Tensor c = tensor_from_proto(c64, kSource);
  EXPECT_EQ(c.element_type(), ElementType::C64);
  EXPECT_EQ(static_cast<const float*>(c.data())[1], -1.f);
}

TEST(TensorProto, Strings) {
  auto p = make_proto(onnx::TensorProto::STRING, {2});
  p.add_string_data("hello");
  p.add_string_data(std::string("a\0b", 3));
  Tensor t = tensor_from_proto(p, kSource);
  EXPECT_EQ(t.span<std::string>()[0], "hello");
  EXPECT_EQ(t.span<std::string>()[1], std::string("a\0b", 3));
}

TEST(TensorProto, RawDataIsMovedNotCopied) {
  auto p = make_proto(onnx::TensorProto::FLOAT, {1024});
  std::vector<float> values(1024);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i);
  p.set_raw_data(values.data(), values.size() * sizeof(float));
  const void* bytes = p.raw_data().data();
  Tensor t = tensor_from_proto(p, kSource);
  EXPECT_EQ(t.data(), bytes);  // the proto's heap buffer became the tensor's memory
  EXPECT_EQ(t.span<float>()[1023], 1023.f);
}

TEST(TensorProto, EmptyTensor) {
  auto p = make_proto(onnx::TensorProto::FLOAT, {0, 3});
  Tensor t = tensor_from_proto(p, kSource);
  EXPECT_EQ(t.size(), 0);
  EXPECT_EQ(t.shape(), (Shape{0, 3}));
}

TEST(TensorProto, ShortOrLongDataNamesTheTensor) {
  auto short_raw = make_proto(onnx::TensorProto::FLOAT, {2, 3}, "weights");
  short_raw.set_raw_data(std::string(20, '\0'));
  expect_error([&] { tensor_from_proto(short_raw, kSource); }, ErrorKind::InvalidModel,
               "test.onnx: tensor 'weights': raw_data holds 20 bytes, f32[2,3] needs 24");

  auto long_typed = make_proto(onnx::TensorProto::INT64, {2}, "ids");
  for (int i = 0; i < 3; ++i) long_typed.add_int64_data(i);
  expect_error([&] { tensor_from_proto(long_typed, kSource); }, ErrorKind::InvalidModel,
               "tensor 'ids': int64_data holds 3 values, i64[2] needs 2");

  auto none = make_proto(onnx::TensorProto::FLOAT, {4}, "empty");
  expect_error([&] { tensor_from_proto(none, kSource); }, ErrorKind::InvalidModel, "holds 0 values");
}

TEST(TensorProto, MalformedProtos) {
  auto wrong_field = make_proto(onnx::TensorProto::FLOAT, {1});
  wrong_field.add_int64_data(1);
  expect_error([&] { tensor_from_proto(wrong_field, kSource); }, ErrorKind::InvalidModel, "int64_data");

  auto no_type = make_proto(onnx::TensorProto::UNDEFINED, {1});
  expect_error([&] { tensor_from_proto(no_type, kSource); }, ErrorKind::InvalidModel, "no element type");

  auto negative = make_proto(onnx::TensorProto::FLOAT, {-1});
  expect_error([&] { tensor_from_proto(negative, kSource); }, ErrorKind::InvalidModel, "negative dimension");

  auto huge = make_proto(onnx::TensorProto::FLOAT, {int64_t(1) << 40, int64_t(1) << 40});
  expect_error([&] { tensor_from_proto(huge, kSource); }, ErrorKind::InvalidModel, "too large");

  auto unknown = make_proto(onnx::TensorProto::FLOAT, {1});
  unknown.set_data_type(40);
  expect_error([&] { tensor_from_proto(unknown, kSource); }, ErrorKind::Unsupported, "element type 40");

  auto external = make_proto(onnx::TensorProto::FLOAT, {1});
  external.set_data_location(onnx::TensorProto::EXTERNAL);
  expect_error([&] { tensor_from_proto(external, kSource); }, ErrorKind::InvalidModel, "external data");
}

TEST(TensorProto, RoundTripThroughProto) {
  Tensor t = Tensor::from<int16_t>({1, -2, 3, -4, 5, -6}, {2, 3});
  auto p = tensor_to_proto(t, "x");
  EXPECT_EQ(p.name(), "x");
  Tensor back = tensor_from_proto(p, kSource);
  EXPECT_EQ(back.shape(), t.shape());
  EXPECT_EQ(back.to_int64(), t.to_int64());

  Tensor s = Tensor::from<std::string>({"a", "", "ccc"});
  auto sp = tensor_to_proto(s);
  EXPECT_EQ(sp.string_data_size(), 3);
  Tensor sback = tensor_from_proto(sp, kSource);
  EXPECT_EQ(sback.span<std::string>()[2], "ccc");
}

}  // namespace
}  // namespace tandem::onnx_frontend
