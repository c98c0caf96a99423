// Value and ValueType.
#include "tandem/value.h"

#include <utility>

namespace tandem {

Value Value::sequence(std::vector<Tensor> items, ElementType element_type) {
  Value v;
  v.kind_ = ValueKind::Sequence;
  v.items_ = std::move(items);
  v.sequence_type_ = element_type;
  return v;
}

static const char* kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::None: return "an empty optional";
    case ValueKind::Tensor: return "a tensor";
    case ValueKind::Sequence: return "a sequence";
  }
  return "?";
}

const Tensor& Value::tensor() const {
  if (kind_ != ValueKind::Tensor)
    throw Error(ErrorKind::InvalidArgument, std::string("expected a tensor, got ") + kind_name(kind_));
  return tensor_;
}
Tensor& Value::tensor() { return const_cast<Tensor&>(std::as_const(*this).tensor()); }

const std::vector<Tensor>& Value::items() const {
  if (kind_ != ValueKind::Sequence)
    throw Error(ErrorKind::InvalidArgument, std::string("expected a sequence, got ") + kind_name(kind_));
  return items_;
}
std::vector<Tensor>& Value::items() { return const_cast<std::vector<Tensor>&>(std::as_const(*this).items()); }

ValueType ValueType::sequence_of(ValueType element) {
  ValueType t;
  t.kind = Kind::Sequence;
  t.element = std::make_shared<ValueType>(std::move(element));
  return t;
}

ValueType ValueType::optional_of(ValueType element) {
  ValueType t;
  t.kind = Kind::Optional;
  t.element = std::make_shared<ValueType>(std::move(element));
  return t;
}

bool ValueType::operator==(const ValueType& other) const {
  if (kind != other.kind || element_type != other.element_type || shape != other.shape ||
      key_type != other.key_type)
    return false;
  if (!element || !other.element) return element == other.element;
  return *element == *other.element;
}

std::string to_string(const ValueType& type) {
  auto inner = [&] { return type.element ? to_string(*type.element) : std::string("?"); };
  switch (type.kind) {
    case ValueType::Kind::Tensor: return std::string(to_string(type.element_type)) + to_string(type.shape);
    case ValueType::Kind::Sequence: return "seq(" + inner() + ")";
    case ValueType::Kind::Optional: return "optional(" + inner() + ")";
    case ValueType::Kind::Map:
      return "map(" + std::string(to_string(type.key_type)) + "," + inner() + ")";
    case ValueType::Kind::Unknown: break;
  }
  return "unknown";
}

}  // namespace tandem
