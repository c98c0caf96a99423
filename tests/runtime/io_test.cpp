// load_value, save_npy and save_pb: round trips of every element type, numpy's variants of the
// format, and malformed files.
#include "tandem/io.h"

#include "frontend/onnx/test_files.h"
#include "frontend/onnx/value_proto.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace tandem {
namespace {
using tandem::testing::read_bytes;
using tandem::testing::TempDir;
using tandem::testing::write_bytes;

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

// A 2x3 tensor of each element type with distinct, type-specific values.
std::vector<Tensor> sample_tensors() {
  std::vector<Tensor> out;
  Shape shape{2, 3};
  for (ElementType type :
       {ElementType::F32, ElementType::U8, ElementType::I8, ElementType::U16, ElementType::I16,
        ElementType::I32, ElementType::I64, ElementType::Bool, ElementType::F16, ElementType::F64,
        ElementType::U32, ElementType::U64, ElementType::C64, ElementType::C128, ElementType::BF16}) {
    Tensor t(type, shape);
    auto* bytes = static_cast<uint8_t*>(t.data());
    for (size_t i = 0; i < t.byte_size(); ++i) bytes[i] = uint8_t(i * 37 + 11);
    if (type == ElementType::Bool)
      for (size_t i = 0; i < t.byte_size(); ++i) bytes[i] = i % 2;
    out.push_back(t);
  }
  out.push_back(Tensor::from<std::string>({"", "a", "héllo", "日本", "x y", "\xf0\x9f\x99\x82"}, shape));
  out.push_back(Tensor(ElementType::F32, {0, 4}));
  out.push_back(Tensor::scalar<int64_t>(-42));
  return out;
}

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.element_type(), b.element_type());
  ASSERT_EQ(a.shape(), b.shape());
  if (a.element_type() == ElementType::String) {
    for (int64_t i = 0; i < a.size(); ++i)
      EXPECT_EQ(a.span<std::string>()[size_t(i)], b.span<std::string>()[size_t(i)]);
    return;
  }
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.byte_size()), 0) << describe(a);
}

TEST(Io, NpyRoundTripsEveryElementType) {
  TempDir dir;
  for (const Tensor& t : sample_tensors()) {
    SCOPED_TRACE(describe(t));
    std::string path = dir.file("t.npy");
    save_npy(path, t);
    EXPECT_EQ(read_bytes(path).find("\n") % 64, 63u);  // the data starts 64-byte aligned
    Value v = load_value(path);
    ASSERT_TRUE(v.is_tensor());
    expect_same(v.tensor(), t);
  }
}

TEST(Io, PbRoundTripsEveryElementType) {
  TempDir dir;
  for (const Tensor& t : sample_tensors()) {
    SCOPED_TRACE(describe(t));
    std::string path = dir.file("t.pb");
    save_pb(path, t, false, "x");
    Value v = load_value(path);
    ASSERT_TRUE(v.is_tensor());
    expect_same(v.tensor(), t);
    save_pb(path, t, /*as_optional=*/true);
    ValueType declared = ValueType::optional_of(ValueType::tensor(t.element_type(), PartialShape()));
    expect_same(onnx_frontend::read_value_file(path, &declared).tensor(), t);
  }
}

TEST(Io, PbSequencesAndOptionals) {
  TempDir dir;
  std::string path = dir.file("v.pb");
  Value seq = Value::sequence({Tensor::from<float>({1, 2}), Tensor::from<float>({3})}, ElementType::F32);
  save_pb(path, seq);
  Value back = load_value(path);
  ASSERT_TRUE(back.is_sequence());
  ASSERT_EQ(back.items().size(), 2u);
  EXPECT_EQ(back.sequence_element_type(), ElementType::F32);
  expect_same(back.items()[1], seq.items()[1]);

  save_pb(path, Value::sequence({}, ElementType::F32));
  back = load_value(path);
  ASSERT_TRUE(back.is_sequence());
  EXPECT_TRUE(back.items().empty());

  save_pb(path, seq, /*as_optional=*/true);
  back = load_value(path);
  ASSERT_TRUE(back.is_sequence());
  EXPECT_EQ(back.items().size(), 2u);

  save_pb(path, Value::none(), true, "nothing");
  EXPECT_TRUE(load_value(path).is_none());
}

TEST(Io, PbOptionalTensorNeedsTheDeclaredTypeToBeToldFromASequence) {
  TempDir dir;
  std::string path = dir.file("v.pb");
  Tensor t = Tensor::from<int32_t>({7, 8});
  save_pb(path, t, /*as_optional=*/true);
  ValueType optional = ValueType::optional_of(ValueType::tensor(ElementType::I32, PartialShape()));
  Value as_optional = onnx_frontend::read_value_file(path, &optional);
  ASSERT_TRUE(as_optional.is_tensor());
  expect_same(as_optional.tensor(), t);
  // The same bytes, undeclared, read as a one-tensor sequence.
  Value guessed = load_value(path);
  ASSERT_TRUE(guessed.is_sequence());
  ASSERT_EQ(guessed.items().size(), 1u);
  expect_same(guessed.items()[0], t);
}

TEST(Io, OnnxTestDataValues) {
  const std::string root = "/usr/share/libonnx-testdata/data/node/";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no ONNX test data";
  EXPECT_TRUE(load_value(root + "test_optional_has_element_empty/test_data_set_0/input_0.pb").is_none());
  Value seq = load_value(root + "test_loop13_seq/test_data_set_0/input_2.pb");
  ASSERT_TRUE(seq.is_sequence());
  EXPECT_TRUE(seq.items().empty());
  Value opt_seq = load_value(root + "test_optional_get_element_sequence/test_data_set_0/input_0.pb");
  ASSERT_TRUE(opt_seq.is_sequence());
  EXPECT_EQ(opt_seq.items().size(), 1u);
  Value scalar = load_value(root + "test_loop16_seq_none/test_data_set_0/input_0.pb");
  ASSERT_TRUE(scalar.is_tensor());
  EXPECT_EQ(scalar.tensor().scalar<int64_t>(), 5);
}

// Reads every .pb of the ONNX node tests: each must load as something, never crash.
TEST(Io, LoadsEveryOnnxTestDataFile) {
  const std::filesystem::path root = "/usr/share/libonnx-testdata/data/node";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no ONNX test data";
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".pb") continue;
    EXPECT_NO_THROW(load_value(entry.path().string())) << entry.path();
    ++count;
  }
  EXPECT_GT(count, 2000);
}

std::string npy_file(const std::string& header_dict, const std::string& data, int major = 1) {
  std::string header = header_dict;
  size_t prefix = major == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6) + char(major) + '\0';
  uint32_t len = uint32_t(header.size());
  for (size_t k = 0; k < prefix - 8; ++k) out += char((len >> (8 * k)) & 0xff);
  return out + header + data;
}

TEST(Io, NpyVersionsOrdersAndStrings) {
  TempDir dir;
  std::string path = dir.file("a.npy");
  int32_t values[] = {0, 1, 2, 3, 4, 5};
  std::string data(reinterpret_cast<const char*>(values), sizeof(values));

  for (int major : {1, 2, 3}) {
    write_bytes(path, npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data, major));
    EXPECT_EQ(load_value(path).tensor().to_int64(), (std::vector<int64_t>{0, 1, 2, 3, 4, 5})) << major;
  }
  // Fortran order: column-major data comes back in C order.
  write_bytes(path, npy_file("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", data));
  Tensor f = load_value(path).tensor();
  EXPECT_EQ(f.shape(), (Shape{2, 3}));
  EXPECT_EQ(f.to_int64(), (std::vector<int64_t>{0, 2, 4, 1, 3, 5}));
  // Big endian.
  std::string big = {0, 0, 1, 2};
  write_bytes(path, npy_file("{'descr': '>i4', 'fortran_order': False, 'shape': (), }", big));
  EXPECT_EQ(load_value(path).tensor().scalar<int64_t>(), 0x0102);
  // Unicode strings, NUL-padded.
  std::u32string text(U"ab\0\0c\0\0\0", 8);
  std::string utf32(reinterpret_cast<const char*>(text.data()), text.size() * 4);
  write_bytes(path, npy_file("{'descr': '<U4', 'fortran_order': False, 'shape': (2,), }", utf32));
  Tensor s = load_value(path).tensor();
  EXPECT_EQ(s.span<std::string>()[0], "ab");
  EXPECT_EQ(s.span<std::string>()[1], "c");
  // ml_dtypes' bfloat16.
  uint16_t one = bfloat16(1.0f).bits;
  write_bytes(path, npy_file("{'descr': '<V2', 'fortran_order': False, 'shape': (1,), }",
                             std::string(reinterpret_cast<const char*>(&one), 2)));
  EXPECT_EQ(load_value(path).tensor().element_type(), ElementType::BF16);
}

TEST(Io, MalformedNpyIsInvalidArgumentNamingTheFile) {
  TempDir dir;
  std::string path = dir.file("bad.npy");
  std::string data(24, '\0');
  auto expect_bad = [&](const std::string& bytes, const std::string& fragment) {
    write_bytes(path, bytes);
    expect_error([&] { load_value(path); }, ErrorKind::InvalidArgument, path + ": " + fragment);
  };
  expect_bad("", "not a .npy file");
  expect_bad("\x93NUMPY", "not a .npy file");
  expect_bad(npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data).substr(0, 40),
             "the header is truncated");
  expect_bad(npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data.substr(0, 20)),
             "holds 20 bytes of data, i32 of shape [2,3] needs 24");
  expect_bad(npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data + "x"),
             "holds 25 bytes");
  expect_bad(npy_file("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", data), "object arrays");
  expect_bad(npy_file("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (3,), }", data),
             "structured arrays");
  expect_bad(npy_file("{'descr': '<q9', 'fortran_order': False, 'shape': (3,), }", data),
             "unsupported dtype");
  expect_bad(npy_file("{'descr': '<i4', 'shape': (-1,), }", data), "npy header: shape holds");
  expect_bad(npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (3, ", data), "npy header");
  expect_bad(npy_file("{'descr': '<i4', 'fortran_order': False}", data), "npy header lacks 'shape'");
  expect_bad(std::string("\x93NUMPY\x07\x00", 8) + data, "unsupported .npy version 7.0");

  std::mt19937 rng(3);
  std::string good = npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data);
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes = good;
    for (int k = 0; k < 4; ++k) bytes[rng() % bytes.size()] = char(rng());
    bytes.resize(rng() % (bytes.size() + 1));
    write_bytes(path, bytes);
    try {
      load_value(path);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << e.what();
    }
  }
}

TEST(Io, MalformedPbIsInvalidArgumentNamingTheFile) {
  TempDir dir;
  std::string path = dir.file("bad.pb");
  write_bytes(path, "");
  expect_error([&] { load_value(path); }, ErrorKind::InvalidArgument, path + ": the file is empty");
  save_pb(path, Tensor::from<float>({1, 2, 3}), false, "x");
  std::string good = read_bytes(path);
  for (size_t len = 1; len < good.size(); ++len) {
    write_bytes(path, good.substr(0, len));
    try {
      load_value(path);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << e.what();
    }
  }
  std::mt19937 rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes(size_t(rng() % 64 + 1), '\0');
    for (char& c : bytes) c = char(rng());
    write_bytes(path, bytes);
    try {
      load_value(path);
    } catch (const Error& e) {
      EXPECT_TRUE(e.kind() == ErrorKind::InvalidArgument || e.kind() == ErrorKind::Unsupported) << e.what();
    }
  }
  expect_error([&] { load_value(dir.file("missing.pb")); }, ErrorKind::InvalidArgument,
               "missing.pb: cannot open");
  expect_error([&] { load_value(dir.file("data.txt")); }, ErrorKind::InvalidArgument, "expected .npy or .pb");
}

}  // namespace
}  // namespace tandem
