// Value protos. SequenceProto and OptionalProto number their fields alike (1 name, 2 elem_type,
// 3 tensor, 5 sequence), so detection relies on elem_type and on which fields are present. A
// MapProto holds its keys in keys or string_keys and its values as a sequence of scalar tensors.
#include "frontend/onnx/value_proto.h"

#include "frontend/onnx/external_data.h"
#include "frontend/onnx/mapped_file.h"
#include "frontend/onnx/proto_file.h"
#include "frontend/onnx/tensor_proto.h"

#include <fmt/format.h>
#include <onnx/onnx-data_pb.h>

#include <cstring>  // onnx-data.pb.h after onnx_pb.h, which defines ONNX_API

namespace tandem::onnx_frontend {
namespace {
using onnx::MapProto;
using onnx::OptionalProto;
using onnx::SequenceProto;

class ValueReader {
 public:
  explicit ValueReader(const std::string& path)
      : path_(path),
        external_(path, ErrorKind::InvalidArgument),
        source_{path, ErrorKind::InvalidArgument, &external_} {}

  Value read(const ValueType* expected) {
    auto file = MappedFile::open(path_, ErrorKind::InvalidArgument);
    if (file->size() == 0) throw error("the file is empty");
    const void* data = file->bytes().data();
    size_t size = file->size();
    ValueType::Kind kind = expected ? expected->kind : ValueType::Kind::Unknown;
    if (kind == ValueType::Kind::Tensor) return read_tensor(data, size);
    // A declared kind is tried first, without the strict test for unknown fields (newer writers
    // may add some); bytes that do not fit it go through detection like undeclared ones.
    if (kind == ValueType::Kind::Sequence) {
      SequenceProto seq;
      if (parse_proto_bytes(data, size, seq) && is_tensor_sequence(seq))
        return sequence(seq, expected->element.get());
      if (parse_proto_bytes(data, size, seq) && is_map_sequence(seq))
        return map_sequence(seq, expected->element.get());
    }
    if (kind == ValueType::Kind::Map) {
      MapProto map_proto;
      if (parse_proto_bytes(data, size, map_proto) && is_map(map_proto)) return map(map_proto, expected);
    }
    if (kind == ValueType::Kind::Optional) {
      OptionalProto opt;
      if (parse_proto_bytes(data, size, opt) && is_optional(opt)) return optional(opt, expected->element.get());
    }
    SequenceProto seq;
    if (parse_proto_bytes(data, size, seq) && !has_unknown_fields(seq) && is_tensor_sequence(seq))
      return sequence(seq, nullptr);
    if (parse_proto_bytes(data, size, seq) && !has_unknown_fields(seq) && is_map_sequence(seq))
      return map_sequence(seq, nullptr);
    OptionalProto opt;
    if (parse_proto_bytes(data, size, opt) && !has_unknown_fields(opt) && is_optional(opt))
      return optional(opt, nullptr);
    MapProto map_proto;
    if (parse_proto_bytes(data, size, map_proto) && !has_unknown_fields(map_proto) && is_map(map_proto))
      return map(map_proto, nullptr);
    return read_tensor(data, size);
  }

 private:
  template <class... Args>
  Error error(fmt::format_string<Args...> format, Args&&... args) const {
    return Error(ErrorKind::InvalidArgument,
                 fmt::format("{}: {}", path_, fmt::format(format, std::forward<Args>(args)...)));
  }

  static bool is_tensor_sequence(const SequenceProto& seq) {
    if (!seq.has_elem_type() || seq.elem_type() != SequenceProto::TENSOR) return false;
    if (seq.sparse_tensor_values_size() || seq.sequence_values_size() || seq.map_values_size() ||
        seq.optional_values_size())
      return false;
    for (const auto& t : seq.tensor_values())
      if (t.data_type() == onnx::TensorProto::UNDEFINED) return false;
    return true;
  }

  // Keys of one supported type, and as many scalar tensors as keys for values.
  static bool is_map(const MapProto& m) {
    const bool strings = m.key_type() == onnx::TensorProto::STRING;
    if (!strings && m.key_type() != onnx::TensorProto::INT64) return false;
    const int keys = strings ? m.string_keys_size() : m.keys_size();
    if ((strings ? m.keys_size() : m.string_keys_size()) != 0 || !m.has_values()) return false;
    return is_tensor_sequence(m.values()) && m.values().tensor_values_size() == keys;
  }

  static bool is_map_sequence(const SequenceProto& seq) {
    if (!seq.has_elem_type() || seq.elem_type() != SequenceProto::MAP) return false;
    if (seq.tensor_values_size() || seq.sparse_tensor_values_size() || seq.sequence_values_size() ||
        seq.optional_values_size())
      return false;
    for (const auto& m : seq.map_values())
      if (!is_map(m)) return false;
    return true;
  }

  static bool is_optional(const OptionalProto& opt) {
    if (!opt.has_elem_type() || opt.has_sparse_tensor_value() || opt.has_map_value()) return false;
    int present = opt.has_tensor_value() + opt.has_sequence_value() + opt.has_optional_value();
    switch (opt.elem_type()) {
      case OptionalProto::UNDEFINED: return present == 0;
      case OptionalProto::TENSOR:
        return !opt.has_sequence_value() && !opt.has_optional_value() &&
               (!opt.has_tensor_value() || opt.tensor_value().data_type() != onnx::TensorProto::UNDEFINED);
      case OptionalProto::SEQUENCE:
        return !opt.has_tensor_value() && !opt.has_optional_value() &&
               (!opt.has_sequence_value() || is_tensor_sequence(opt.sequence_value()));
      case OptionalProto::OPTIONAL:
        return present == 0 ||
               (opt.has_optional_value() && present == 1 && is_optional(opt.optional_value()));
      default: return false;
    }
  }

  Value read_tensor(const void* data, size_t size) {
    onnx::TensorProto proto;
    if (!parse_proto_bytes(data, size, proto))
      throw error("not a valid TensorProto, SequenceProto or OptionalProto");
    if (proto.data_type() == onnx::TensorProto::UNDEFINED)
      throw error("not a TensorProto, SequenceProto or OptionalProto (no element type)");
    return tensor_from_proto(proto, source_);
  }

  Value sequence(SequenceProto& seq, const ValueType* element) {
    if (seq.has_elem_type() && seq.elem_type() != SequenceProto::TENSOR &&
        seq.elem_type() != SequenceProto::UNDEFINED)
      throw Error(ErrorKind::Unsupported, fmt::format("{}: sequences of element kind {} are not supported",
                                                      path_, int(seq.elem_type())));
    ElementType type = element && element->is_tensor() ? element->element_type : ElementType::Undefined;
    std::vector<Tensor> items;
    for (int i = 0; i < seq.tensor_values_size(); ++i) {
      Tensor t =
          tensor_from_proto(*seq.mutable_tensor_values(i), source_, fmt::format("sequence item {}", i));
      if (type != ElementType::Undefined && t.element_type() != type)
        throw error("sequence item {} is {}, expected {}", i, to_string(t.element_type()), to_string(type));
      type = t.element_type();
      items.push_back(std::move(t));
    }
    return Value::sequence(std::move(items), type);
  }

  // expected: the declared map type, which gives an empty map its value type.
  Value map(MapProto& m, const ValueType* expected, const std::string& label = "map") {
    Tensor keys;
    if (m.key_type() == onnx::TensorProto::STRING) {
      keys = Tensor(ElementType::String, {m.string_keys_size()});
      for (int i = 0; i < m.string_keys_size(); ++i) keys.span<std::string>()[i] = m.string_keys(i);
    } else {
      keys = Tensor::from(std::vector<int64_t>(m.keys().begin(), m.keys().end()), {m.keys_size()});
    }
    ElementType type = expected && expected->kind == ValueType::Kind::Map ? expected->element_type
                                                                          : ElementType::Undefined;
    std::vector<Tensor> values;
    for (int i = 0; i < m.values().tensor_values_size(); ++i) {
      values.push_back(tensor_from_proto(*m.mutable_values()->mutable_tensor_values(i), source_,
                                         fmt::format("{} value {}", label, i)));
      const Tensor& v = values.back();
      if (v.size() != 1)
        throw Error(ErrorKind::Unsupported,
                    fmt::format("{}: {} value {} is {}: only maps of scalar values are supported", path_,
                                label, i, describe(v)));
      if (type != ElementType::Undefined && v.element_type() != type)
        throw error("{} value {} is {}, expected {}", label, i, to_string(v.element_type()), to_string(type));
      type = v.element_type();
    }
    if (type == ElementType::Undefined)
      throw error("{} is empty and its value type is not declared", label);
    Tensor column(type, {int64_t(values.size())});
    for (size_t i = 0; i < values.size(); ++i) {
      if (type == ElementType::String)
        column.span<std::string>()[i] = values[i].span<std::string>()[0];
      else
        std::memcpy(static_cast<std::byte*>(column.data()) + i * element_size(type), values[i].data(),
                    element_size(type));
    }
    return Value::map(std::move(keys), std::move(column));
  }

  Value map_sequence(SequenceProto& seq, const ValueType* element) {
    const ValueType* map_type = element && element->kind == ValueType::Kind::Map ? element : nullptr;
    ElementType key_type = map_type ? map_type->key_type : ElementType::Undefined;
    ElementType value_type = map_type ? map_type->element_type : ElementType::Undefined;
    std::vector<Value> maps;
    for (int i = 0; i < seq.map_values_size(); ++i) {
      maps.push_back(map(*seq.mutable_map_values(i), map_type, fmt::format("sequence item {}", i)));
      const Value& m = maps.back();
      if (i > 0 && (m.map_keys().element_type() != key_type || m.map_values().element_type() != value_type))
        throw error("sequence item {} is a map({},{}), item 0 a map({},{})", i,
                    to_string(m.map_keys().element_type()), to_string(m.map_values().element_type()),
                    to_string(key_type), to_string(value_type));
      key_type = m.map_keys().element_type();
      value_type = m.map_values().element_type();
    }
    if (key_type == ElementType::Undefined || value_type == ElementType::Undefined)
      throw error("the sequence of maps is empty and its map type is not declared");
    return Value::map_sequence(std::move(maps), key_type, value_type);
  }

  Value optional(OptionalProto& opt, const ValueType* element) {
    if (opt.has_tensor_value())
      return tensor_from_proto(*opt.mutable_tensor_value(), source_, "optional's tensor");
    if (opt.has_sequence_value())
      return sequence(*opt.mutable_sequence_value(),
                      element && element->element ? element->element.get() : nullptr);
    if (opt.has_optional_value()) return optional(*opt.mutable_optional_value(), element);
    if (opt.has_sparse_tensor_value() || opt.has_map_value())
      throw Error(ErrorKind::Unsupported, path_ + ": optionals of sparse tensors or maps are not supported");
    return Value::none();
  }

  std::string path_;
  ExternalData external_;
  TensorSource source_;
};

// Each value becomes a scalar tensor, as onnx.numpy_helper.from_dict writes them.
MapProto map_to_proto(const Value& value, const std::string& name) {
  MapProto m;
  if (!name.empty()) m.set_name(name);
  const Tensor& keys = value.map_keys();
  const Tensor& values = value.map_values();
  m.set_key_type(int32_t(keys.element_type()));
  if (keys.element_type() == ElementType::String)
    for (const std::string& k : keys.span<std::string>()) m.add_string_keys(k);
  else
    for (int64_t k : keys.span<int64_t>()) m.add_keys(k);
  SequenceProto* seq = m.mutable_values();
  seq->set_elem_type(SequenceProto::TENSOR);
  const ElementType type = values.element_type();
  for (int64_t i = 0; i < values.size(); ++i) {
    Tensor scalar(type, {});
    if (type == ElementType::String)
      scalar.span<std::string>()[0] = values.span<std::string>()[i];
    else
      std::memcpy(scalar.data(), static_cast<const std::byte*>(values.data()) + i * element_size(type),
                  element_size(type));
    *seq->add_tensor_values() = tensor_to_proto(scalar);
  }
  return m;
}

SequenceProto sequence_to_proto(const Value& value, const std::string& name) {
  SequenceProto seq;
  if (!name.empty()) seq.set_name(name);
  if (value.is_map_sequence()) {
    seq.set_elem_type(SequenceProto::MAP);
    for (const Value& m : value.map_items()) *seq.add_map_values() = map_to_proto(m, "");
    return seq;
  }
  seq.set_elem_type(SequenceProto::TENSOR);
  for (const Tensor& t : value.items()) *seq.add_tensor_values() = tensor_to_proto(t);
  return seq;
}
}  // namespace

Value read_value_file(const std::string& path, const ValueType* expected) {
  return ValueReader(path).read(expected);
}

void write_value_file(const std::string& path, const Value& value, bool as_optional,
                      const std::string& name) {
  if (value.is_tensor() && !as_optional) return write_proto_file(path, tensor_to_proto(value.tensor(), name));
  if (value.is_sequence() && !as_optional) return write_proto_file(path, sequence_to_proto(value, name));
  if (value.is_map() && !as_optional) return write_proto_file(path, map_to_proto(value, name));
  OptionalProto opt;
  if (!name.empty()) opt.set_name(name);
  opt.set_elem_type(OptionalProto::UNDEFINED);
  if (value.is_tensor()) {
    opt.set_elem_type(OptionalProto::TENSOR);
    *opt.mutable_tensor_value() = tensor_to_proto(value.tensor());
  } else if (value.is_sequence()) {
    opt.set_elem_type(OptionalProto::SEQUENCE);
    *opt.mutable_sequence_value() = sequence_to_proto(value, "");
  } else if (value.is_map()) {
    opt.set_elem_type(OptionalProto::MAP);
    *opt.mutable_map_value() = map_to_proto(value, "");
  }
  write_proto_file(path, opt);
}

}  // namespace tandem::onnx_frontend
