// Type conversions. ElementType is numbered as TensorProto.DataType, so element types map by value.
#include "frontend/onnx/types.h"

#include <fmt/format.h>

namespace tandem::onnx_frontend {
namespace {
ElementType tensor_element_type(int32_t elem_type, const std::string& where) {
  if (elem_type == onnx::TensorProto::UNDEFINED) return ElementType::Undefined;
  ElementType type = element_type_from_onnx(elem_type);
  if (type == ElementType::Undefined)
    throw Error(ErrorKind::Unsupported,
                fmt::format("{}: element type {} is not supported", where, elem_type));
  return type;
}

PartialShape shape_from_proto(const onnx::TensorShapeProto& proto, const std::string& where) {
  std::vector<Dimension> dims;
  dims.reserve(size_t(proto.dim_size()));
  for (const auto& d : proto.dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0)
        throw Error(ErrorKind::InvalidModel,
                    fmt::format("{}: dimension {} is negative", where, d.dim_value()));
      dims.emplace_back(d.dim_value());
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      dims.push_back(Dimension::named(d.dim_param()));
    } else {
      dims.emplace_back();
    }
  }
  return PartialShape(std::move(dims));
}
}  // namespace

ElementType element_type_from_onnx(int64_t data_type) {
  if (data_type <= int64_t(ElementType::Undefined) || data_type > int64_t(ElementType::F6E3M2))
    return ElementType::Undefined;
  return ElementType(int32_t(data_type));
}

ValueType value_type_from_proto(const onnx::TypeProto& proto, const std::string& where) {
  switch (proto.value_case()) {
    case onnx::TypeProto::kTensorType: {
      const auto& t = proto.tensor_type();
      PartialShape shape = t.has_shape() ? shape_from_proto(t.shape(), where) : PartialShape();
      return ValueType::tensor(tensor_element_type(t.elem_type(), where), std::move(shape));
    }
    case onnx::TypeProto::kSequenceType:
      return ValueType::sequence_of(value_type_from_proto(proto.sequence_type().elem_type(), where));
    case onnx::TypeProto::kOptionalType:
      return ValueType::optional_of(value_type_from_proto(proto.optional_type().elem_type(), where));
    case onnx::TypeProto::kMapType: {
      const auto& m = proto.map_type();
      ValueType value = value_type_from_proto(m.value_type(), where);
      ValueType t;
      t.kind = ValueType::Kind::Map;
      t.key_type = tensor_element_type(m.key_type(), where);
      t.element_type = value.element_type;
      t.element = std::make_shared<ValueType>(std::move(value));
      return t;
    }
    case onnx::TypeProto::kSparseTensorType:
      throw Error(ErrorKind::Unsupported, where + ": sparse tensors are not supported");
    case onnx::TypeProto::kOpaqueType:
      throw Error(ErrorKind::Unsupported, where + ": opaque types are not supported");
    case onnx::TypeProto::VALUE_NOT_SET: break;
  }
  return ValueType{};
}

onnx::TypeProto value_type_to_proto(const ValueType& type) {
  onnx::TypeProto proto;
  auto element = [&] { return type.element ? value_type_to_proto(*type.element) : onnx::TypeProto(); };
  switch (type.kind) {
    case ValueType::Kind::Tensor: {
      auto* t = proto.mutable_tensor_type();
      t->set_elem_type(int32_t(type.element_type));
      if (!type.shape.rank_known()) break;
      auto* shape = t->mutable_shape();
      for (const Dimension& d : type.shape.dims()) {
        auto* dim = shape->add_dim();
        if (d.is_static())
          dim->set_dim_value(d.value);
        else if (!d.symbol.empty())
          dim->set_dim_param(d.symbol);
      }
      break;
    }
    case ValueType::Kind::Sequence: *proto.mutable_sequence_type()->mutable_elem_type() = element(); break;
    case ValueType::Kind::Optional: *proto.mutable_optional_type()->mutable_elem_type() = element(); break;
    case ValueType::Kind::Map:
      proto.mutable_map_type()->set_key_type(int32_t(type.key_type));
      *proto.mutable_map_type()->mutable_value_type() = element();
      break;
    case ValueType::Kind::Unknown: break;
  }
  return proto;
}

}  // namespace tandem::onnx_frontend
