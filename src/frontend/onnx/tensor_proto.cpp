// TensorProto conversion. ONNX keeps each element type in one typed field (float_data, int32_data,
// …) or in raw_data as little-endian bytes; raw_data is what exporters write for weights.
#include "frontend/onnx/tensor_proto.h"

#include "frontend/onnx/external_data.h"
#include "frontend/onnx/types.h"
#include "tandem/shape.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace tandem::onnx_frontend {
namespace {
static_assert(std::endian::native == std::endian::little, "raw_data is little endian, as is the host");

// 2^56 elements of at most 16 bytes stays far from overflowing size_t.
constexpr int64_t kMaxElements = int64_t(1) << 56;

enum class Field { Float, Int32, String, Int64, Double, Uint64 };

struct Reader {
  const onnx::TensorProto& proto;
  const TensorSource& source;
  std::string label;

  template <class... Args>
  Error error(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) const {
    return Error(kind, fmt::format("{}: {}: {}", source.file, label,
                                   fmt::format(format, std::forward<Args>(args)...)));
  }
  template <class... Args>
  Error error(fmt::format_string<Args...> format, Args&&... args) const {
    return error(source.error_kind, format, std::forward<Args>(args)...);
  }
};

// The typed field ONNX stores each element type in.
Field field_of(ElementType type) {
  switch (type) {
    case ElementType::F32:
    case ElementType::C64: return Field::Float;
    case ElementType::F64:
    case ElementType::C128: return Field::Double;
    case ElementType::I64: return Field::Int64;
    case ElementType::U32:
    case ElementType::U64: return Field::Uint64;
    case ElementType::String: return Field::String;
    default: return Field::Int32;  // i8, i16, i32, u8, u16, bool, and the bits of f16 and bf16
  }
}

int field_size(const onnx::TensorProto& p, Field field) {
  switch (field) {
    case Field::Float: return p.float_data_size();
    case Field::Int32: return p.int32_data_size();
    case Field::String: return p.string_data_size();
    case Field::Int64: return p.int64_data_size();
    case Field::Double: return p.double_data_size();
    case Field::Uint64: return p.uint64_data_size();
  }
  return 0;
}

constexpr const char* field_name(Field field) {
  constexpr const char* kNames[] = {"float_data", "int32_data",  "string_data",
                                    "int64_data", "double_data", "uint64_data"};
  return kNames[int(field)];
}

int values_per_element(ElementType type) {
  return type == ElementType::C64 || type == ElementType::C128 ? 2 : 1;
}

size_t alignment_of(ElementType type) {
  return std::min<size_t>(element_size(type), 8);
}

std::string describe(ElementType type, const Shape& shape) {
  return std::string(to_string(type)) + to_string(shape);
}

int64_t element_count(const Shape& shape, const Reader& r) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw r.error("negative dimension in shape {}", to_string(shape));
    if (d != 0 && n > kMaxElements / d) throw r.error("shape {} is too large", to_string(shape));
    n *= d;
  }
  return n;
}

// Bytes (raw or external) become the tensor's memory when aligned, else a copy.
Tensor from_bytes(ElementType type, const Shape& shape, int64_t count, std::byte* data, size_t size,
                  std::shared_ptr<const void> owner, const char* what, const Reader& r) {
  size_t needed = size_t(count) * element_size(type);
  if (size != needed)
    throw r.error("{} holds {} bytes, {} needs {}", what, size, describe(type, shape), needed);
  if (type == ElementType::Bool)  // bool must be 0 or 1; other bytes would be undefined behaviour
    for (size_t i = 0; i < size; ++i) data[i] = std::byte(data[i] != std::byte{0});
  if (reinterpret_cast<uintptr_t>(data) % alignment_of(type) == 0)
    return Tensor::wrap(type, shape, data, std::move(owner));
  Tensor t(type, shape);
  if (size) std::memcpy(t.data(), data, size);
  return t;
}

// The 2-, 4- and 6-bit types are packed in files: element i takes bits [i*b, i*b+b) of the
// little-endian bit stream (low nibble first for 4 bits, four to three bytes for 6 bits), as ONNX's
// numpy_helper packs them. In memory each element has a byte of its own, upper bits zero.
size_t packed_size(ElementType type, int64_t count) {
  return (size_t(count) * size_t(packed_bits(type)) + 7) / 8;
}

template <class Byte>
Tensor unpack(ElementType type, const Shape& shape, int64_t count, const Byte* packed) {
  const size_t bits = size_t(packed_bits(type));
  const unsigned mask = (1u << bits) - 1;
  Tensor t(type, shape);
  auto* out = static_cast<uint8_t*>(t.data());
  for (size_t i = 0; i < size_t(count); ++i) {
    size_t bit = i * bits, byte = bit / 8, shift = bit % 8;
    unsigned word = uint8_t(packed[byte]);
    if (shift + bits > 8) word |= unsigned(uint8_t(packed[byte + 1])) << 8;
    out[i] = uint8_t((word >> shift) & mask);
  }
  return t;
}

std::string pack(const Tensor& tensor) {
  const ElementType type = tensor.element_type();
  const size_t bits = size_t(packed_bits(type));
  const unsigned mask = (1u << bits) - 1;
  std::string packed(packed_size(type, tensor.size()), '\0');
  const auto* in = static_cast<const uint8_t*>(tensor.data());
  for (size_t i = 0; i < size_t(tensor.size()); ++i) {
    size_t bit = i * bits, byte = bit / 8, shift = bit % 8;
    unsigned word = (in[i] & mask) << shift;
    packed[byte] = char(uint8_t(packed[byte]) | uint8_t(word));
    if (shift + bits > 8) packed[byte + 1] = char(uint8_t(packed[byte + 1]) | uint8_t(word >> 8));
  }
  return packed;
}

// Narrow types in int32_data: the packed bytes one to an entry for the 2- and 4-bit ones, one
// element to an entry (its bits) for float8, e8m0 and float6.
Tensor narrow_from_int32_data(ElementType type, const Shape& shape, int64_t count,
                              const Reader& r) {
  const auto& values = r.proto.int32_data();
  const bool packed = packed_bits(type) < 6;
  const size_t needed = packed ? packed_size(type, count) : size_t(count);
  if (size_t(values.size()) != needed)
    throw r.error("int32_data holds {} values, {} needs {}", values.size(), describe(type, shape),
                  needed);
  std::vector<uint8_t> bytes(values.begin(), values.end());  // keeps the low 8 bits of each entry
  if (packed) return unpack(type, shape, count, bytes.data());
  Tensor t(type, shape);
  const uint8_t mask = uint8_t((1u << packed_bits(type)) - 1);
  auto* out = static_cast<uint8_t*>(t.data());
  for (size_t i = 0; i < bytes.size(); ++i) out[i] = bytes[i] & mask;
  return t;
}

template <class Byte>
Tensor unpack_bytes(ElementType type, const Shape& shape, int64_t count, const Byte* data,
                    size_t size, const char* what, const Reader& r) {
  size_t needed = packed_size(type, count);
  if (size != needed)
    throw r.error("{} holds {} bytes, {} needs {} ({} bits per element, packed)", what, size,
                  describe(type, shape), needed, packed_bits(type));
  return unpack(type, shape, count, data);
}

template <class Dst, class Values>
Tensor copy_values(ElementType type, const Shape& shape, int64_t count, const Values& values, Field field,
                   const Reader& r) {
  int64_t needed = count * values_per_element(type);
  if (int64_t(values.size()) != needed)
    throw r.error("{} holds {} values, {} needs {}", field_name(field), values.size(), describe(type, shape),
                  needed);
  Tensor t(type, shape);
  auto* out = static_cast<Dst*>(t.data());
  for (int64_t i = 0; i < needed; ++i) out[i] = static_cast<Dst>(values[int(i)]);
  return t;
}

Tensor from_typed_field(ElementType type, const Shape& shape, int64_t count, const Reader& r) {
  const auto& p = r.proto;
  Field field = field_of(type);
  switch (type) {
    case ElementType::F32:
    case ElementType::C64: return copy_values<float>(type, shape, count, p.float_data(), field, r);
    case ElementType::F64:
    case ElementType::C128: return copy_values<double>(type, shape, count, p.double_data(), field, r);
    case ElementType::I64: return copy_values<int64_t>(type, shape, count, p.int64_data(), field, r);
    case ElementType::U32: return copy_values<uint32_t>(type, shape, count, p.uint64_data(), field, r);
    case ElementType::U64: return copy_values<uint64_t>(type, shape, count, p.uint64_data(), field, r);
    case ElementType::I32: return copy_values<int32_t>(type, shape, count, p.int32_data(), field, r);
    case ElementType::I16: return copy_values<int16_t>(type, shape, count, p.int32_data(), field, r);
    case ElementType::I8: return copy_values<int8_t>(type, shape, count, p.int32_data(), field, r);
    case ElementType::U16:
    case ElementType::F16:
    case ElementType::BF16: return copy_values<uint16_t>(type, shape, count, p.int32_data(), field, r);
    case ElementType::U8: return copy_values<uint8_t>(type, shape, count, p.int32_data(), field, r);
    case ElementType::Bool: return copy_values<bool>(type, shape, count, p.int32_data(), field, r);
    case ElementType::F8E4M3FN:
    case ElementType::F8E4M3FNUZ:
    case ElementType::F8E5M2:
    case ElementType::F8E5M2FNUZ:
    case ElementType::U4:
    case ElementType::I4:
    case ElementType::F4E2M1:
    case ElementType::F8E8M0:
    case ElementType::U2:
    case ElementType::I2:
    case ElementType::F6E2M3:
    case ElementType::F6E3M2:
      return narrow_from_int32_data(type, shape, count, r);
    case ElementType::String: {
      if (p.string_data_size() != count)
        throw r.error("string_data holds {} values, {} needs {}", p.string_data_size(), describe(type, shape),
                      count);
      Tensor t(type, shape);
      auto out = t.span<std::string>();
      for (int64_t i = 0; i < count; ++i) out[size_t(i)] = p.string_data(int(i));
      return t;
    }
    default: break;
  }
  throw r.error(ErrorKind::Unsupported, "element type {} is not supported", to_string(type));
}

void check_single_field(ElementType type, bool has_bytes, const Reader& r) {
  Field own = field_of(type);
  for (Field f : {Field::Float, Field::Int32, Field::String, Field::Int64, Field::Double, Field::Uint64}) {
    if (field_size(r.proto, f) == 0) continue;
    if (has_bytes) throw r.error("holds both raw or external data and {}", field_name(f));
    if (f != own)
      throw r.error("{} tensor holds its data in {}; ONNX stores it in {} or raw_data", to_string(type),
                    field_name(f), field_name(own));
  }
}
}  // namespace

Tensor tensor_from_proto(onnx::TensorProto& proto, const TensorSource& source, const std::string& label) {
  Reader r{proto, source, label.empty() ? fmt::format("tensor '{}'", proto.name()) : label};
  if (proto.data_type() == onnx::TensorProto::UNDEFINED) throw r.error("has no element type");
  ElementType type = element_type_from_onnx(proto.data_type());
  if (type == ElementType::Undefined)
    throw r.error(ErrorKind::Unsupported, "element type {} is not supported", proto.data_type());
  if (proto.has_segment()) throw r.error(ErrorKind::Unsupported, "segmented tensors are not supported");
  Shape shape(proto.dims().begin(), proto.dims().end());
  int64_t count = element_count(shape, r);

  bool external = proto.data_location() == onnx::TensorProto::EXTERNAL;
  check_single_field(type, external || proto.has_raw_data(), r);
  if (external || proto.has_raw_data()) {
    if (type == ElementType::String)
      throw r.error("string tensors keep their data in string_data, not in raw or external data");
    const bool packed = packed_bits(type) < 8;
    size_t needed = packed ? packed_size(type, count) : size_t(count) * element_size(type);
    if (external) {
      if (!source.external_data) throw r.error("external data is not allowed here");
      auto bytes = source.external_data->read(proto, needed, r.label);
      if (packed)
        return unpack_bytes(type, shape, count, bytes.data, bytes.size, "external data", r);
      return from_bytes(type, shape, count, bytes.data, bytes.size, std::move(bytes.owner), "external data",
                        r);
    }
    // Moving the string keeps its heap buffer: the weights are not copied again.
    if (packed)
      return unpack_bytes(type, shape, count, proto.raw_data().data(), proto.raw_data().size(),
                          "raw_data", r);
    auto raw = std::make_shared<std::string>(std::move(*proto.mutable_raw_data()));
    proto.clear_raw_data();
    auto* data = reinterpret_cast<std::byte*>(raw->data());
    size_t size = raw->size();
    return from_bytes(type, shape, count, data, size, std::move(raw), "raw_data", r);
  }
  return from_typed_field(type, shape, count, r);
}

onnx::TensorProto tensor_to_proto(const Tensor& tensor, const std::string& name) {
  if (!tensor.is_valid())
    throw Error(ErrorKind::InvalidArgument, "tensor_to_proto: the tensor is empty (no element type)");
  onnx::TensorProto proto;
  if (!name.empty()) proto.set_name(name);
  proto.set_data_type(int32_t(tensor.element_type()));
  for (int64_t d : tensor.shape()) proto.add_dims(d);
  if (tensor.element_type() == ElementType::String) {
    for (const std::string& s : tensor.span<std::string>()) proto.add_string_data(s);
    return proto;
  }
  if (packed_bits(tensor.element_type()) < 8) {
    proto.set_raw_data(pack(tensor));
    return proto;
  }
  proto.set_raw_data(static_cast<const char*>(tensor.data()), tensor.byte_size());
  return proto;
}

}  // namespace tandem::onnx_frontend
