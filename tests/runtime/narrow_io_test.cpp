// .npy and .pb files of the narrow types: ml_dtypes' '<V1' convention, packed protos.
#include <gtest/gtest.h>

#include <cstring>

#include "frontend/onnx/test_files.h"
#include "tandem/io.h"

namespace tandem {
namespace {
using tandem::testing::read_bytes;
using tandem::testing::TempDir;

std::vector<Tensor> narrow_samples() {
  std::vector<Tensor> out;
  for (int code = int(ElementType::F8E4M3FN); code <= int(ElementType::F6E3M2); ++code) {
    const auto type = ElementType(code);
    Tensor t(type, {2, 3});
    auto* bytes = static_cast<uint8_t*>(t.data());
    const unsigned mask = packed_bits(type) < 8 ? (1u << packed_bits(type)) - 1 : 0xffu;
    for (size_t i = 0; i < t.byte_size(); ++i) bytes[i] = uint8_t((i * 37 + 11) & mask);
    out.push_back(t);
  }
  return out;
}

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.element_type(), b.element_type());
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.byte_size()), 0) << describe(a);
}

TEST(NarrowIo, NpyRoundTripsWithTheDeclaredType) {
  TempDir dir;
  for (const Tensor& t : narrow_samples()) {
    SCOPED_TRACE(describe(t));
    std::string path = dir.file("t.npy");
    save_npy(path, t);
    EXPECT_NE(read_bytes(path).find("'descr': '|V1'"), std::string::npos);
    expect_same(load_value(path, ValueType::tensor(t.element_type(), PartialShape())).tensor(), t);
    EXPECT_EQ(load_value(path).tensor().element_type(), ElementType::U8);  // undeclared: the bits
  }
}

TEST(NarrowIo, PbRoundTrips) {
  TempDir dir;
  for (const Tensor& t : narrow_samples()) {
    SCOPED_TRACE(describe(t));
    std::string path = dir.file("t.pb");
    save_pb(path, t, false, "x");
    expect_same(load_value(path).tensor(), t);
  }
}

}  // namespace
}  // namespace tandem
