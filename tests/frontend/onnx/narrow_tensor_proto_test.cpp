// TensorProto of the narrow types: 4-, 2- and 6-bit packing in raw_data and int32_data, float8 one
// to an int32_data entry; expected bytes are what ONNX's numpy_helper writes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/onnx/tensor_proto.h"

namespace tandem::onnx_frontend {
namespace {
const TensorSource kSource{"test.onnx"};

onnx::TensorProto make_proto(ElementType type, std::vector<int64_t> dims) {
  onnx::TensorProto p;
  p.set_name("t");
  p.set_data_type(int32_t(type));
  for (int64_t d : dims) p.add_dims(d);
  return p;
}

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += char(uint8_t(v));
  return s;
}

std::vector<uint8_t> memory(const Tensor& t) {
  auto* p = static_cast<const uint8_t*>(t.data());
  return {p, p + t.byte_size()};
}

TEST(NarrowTensorProto, Int4RawIsPackedLowNibbleFirst) {
  auto p = make_proto(ElementType::I4, {3});
  p.set_raw_data(bytes({0x7F, 0x08}));
  Tensor t = tensor_from_proto(p, kSource);
  EXPECT_EQ(t.element_type(), ElementType::I4);
  EXPECT_EQ(t.to_int64(), (std::vector<int64_t>{-1, 7, -8}));
  EXPECT_EQ(memory(t), (std::vector<uint8_t>{0x0F, 0x07, 0x08}));  // one byte each, as ml_dtypes
  EXPECT_EQ(tensor_to_proto(t).raw_data(), bytes({0x7F, 0x08}));
}

TEST(NarrowTensorProto, Int4Int32DataIsPackedToo) {
  auto p = make_proto(ElementType::I4, {3});
  p.add_int32_data(0x7F);
  p.add_int32_data(0x08);
  EXPECT_EQ(tensor_from_proto(p, kSource).to_int64(), (std::vector<int64_t>{-1, 7, -8}));
  auto q = make_proto(ElementType::U4, {3});
  q.add_int32_data(0x7F);
  EXPECT_THROW(tensor_from_proto(q, kSource), Error);  // 3 nibbles need 2 entries
}

TEST(NarrowTensorProto, TwoBitRoundTrip) {
  auto p = make_proto(ElementType::U2, {5});
  p.set_raw_data(bytes({0xE4, 0x01}));
  Tensor t = tensor_from_proto(p, kSource);
  EXPECT_EQ(t.to_int64(), (std::vector<int64_t>{0, 1, 2, 3, 1}));
  EXPECT_EQ(tensor_to_proto(t).raw_data(), bytes({0xE4, 0x01}));
  Tensor i = Tensor::from<int2>({int2(-2), int2(-1), int2(1)});
  auto back = tensor_to_proto(i);
  EXPECT_EQ(back.raw_data(), bytes({0x02 | 0x03 << 2 | 0x01 << 4}));
  EXPECT_EQ(tensor_from_proto(back, kSource).to_int64(), (std::vector<int64_t>{-2, -1, 1}));
}

TEST(NarrowTensorProto, Float6PacksFourToThreeBytes) {
  auto p = make_proto(ElementType::F6E2M3, {5});
  p.set_raw_data(bytes({0x81, 0x30, 0x10, 0x05}));
  Tensor t = tensor_from_proto(p, kSource);
  EXPECT_EQ(memory(t), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(tensor_to_proto(t).raw_data(), bytes({0x81, 0x30, 0x10, 0x05}));
  auto q = make_proto(ElementType::F6E3M2, {2});  // int32_data: one element per entry
  q.add_int32_data(0x0C);
  q.add_int32_data(0x3F);
  EXPECT_EQ(tensor_from_proto(q, kSource).to_double(), (std::vector<double>{1.0, -28.0}));
}

TEST(NarrowTensorProto, Float8OnePerEntryAndRaw) {
  auto p = make_proto(ElementType::F8E4M3FN, {2});
  p.add_int32_data(56);
  p.add_int32_data(126);
  Tensor t = tensor_from_proto(p, kSource);
  EXPECT_EQ(t.to_double(), (std::vector<double>{1.0, 448.0}));
  auto raw = tensor_to_proto(t);
  EXPECT_EQ(raw.raw_data(), bytes({56, 126}));
  EXPECT_EQ(tensor_from_proto(raw, kSource).to_double(), (std::vector<double>{1.0, 448.0}));
  auto e = make_proto(ElementType::F8E8M0, {1});
  e.set_raw_data(bytes({128}));
  EXPECT_EQ(tensor_from_proto(e, kSource).to_double(), (std::vector<double>{2.0}));
}

TEST(NarrowTensorProto, PackedSizeMustMatch) {
  auto p = make_proto(ElementType::F4E2M1, {3});
  p.set_raw_data(bytes({0, 0, 0}));
  try {
    tensor_from_proto(p, kSource);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("raw_data holds 3 bytes, f4e2m1[3] needs 2"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tandem::onnx_frontend
