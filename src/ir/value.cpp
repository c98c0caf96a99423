// Value and ValueType.
#include "tandem/value.h"

#include <fmt/format.h>

#include <utility>

namespace tandem {

Value Value::sequence(std::vector<Tensor> items, ElementType element_type) {
  Value v;
  v.kind_ = ValueKind::Sequence;
  v.items_ = std::move(items);
  v.sequence_type_ = element_type;
  return v;
}

Value Value::map(Tensor keys, Tensor values) {
  if (keys.element_type() != ElementType::I64 && keys.element_type() != ElementType::String)
    throw Error(ErrorKind::InvalidArgument,
                "map keys must be int64 or string, got " + std::string(to_string(keys.element_type())));
  if (keys.rank() != 1 || values.rank() != 1 || keys.shape()[0] != values.shape()[0])
    throw Error(ErrorKind::InvalidArgument, "a map needs 1-D keys and values of one length, got keys " +
                                                describe(keys) + " and values " + describe(values));
  Value v;
  v.kind_ = ValueKind::Map;
  v.tensor_ = std::move(keys);
  v.map_values_ = std::move(values);
  return v;
}

Value Value::map_sequence(std::vector<Value> maps, ElementType key_type, ElementType value_type) {
  for (size_t i = 0; i < maps.size(); ++i)
    if (!maps[i].is_map() || maps[i].tensor_.element_type() != key_type ||
        maps[i].map_values_.element_type() != value_type)
      throw Error(ErrorKind::InvalidArgument,
                  "sequence item " + std::to_string(i) + " is not a map(" +
                      std::string(to_string(key_type)) + "," + std::string(to_string(value_type)) + ")");
  Value v;
  v.kind_ = ValueKind::Sequence;
  v.map_items_ = std::move(maps);
  v.sequence_type_ = value_type;
  v.sequence_key_type_ = key_type;
  return v;
}

static std::string kind_name(const Value& value) {
  switch (value.kind()) {
    case ValueKind::None: return "an empty optional";
    case ValueKind::Tensor: return "a tensor";
    case ValueKind::Sequence: return value.is_map_sequence() ? "a sequence of maps" : "a sequence";
    case ValueKind::Map: return "a map";
  }
  return "?";
}

const Tensor& Value::tensor() const {
  if (kind_ != ValueKind::Tensor)
    throw Error(ErrorKind::InvalidArgument, "expected a tensor, got " + kind_name(*this));
  return tensor_;
}
Tensor& Value::tensor() { return const_cast<Tensor&>(std::as_const(*this).tensor()); }

const std::vector<Tensor>& Value::items() const {
  if (kind_ != ValueKind::Sequence || is_map_sequence())
    throw Error(ErrorKind::InvalidArgument, "expected a sequence of tensors, got " + kind_name(*this));
  return items_;
}
std::vector<Tensor>& Value::items() { return const_cast<std::vector<Tensor>&>(std::as_const(*this).items()); }

const std::vector<Value>& Value::map_items() const {
  if (!is_map_sequence())
    throw Error(ErrorKind::InvalidArgument, "expected a sequence of maps, got " + kind_name(*this));
  return map_items_;
}

const Tensor& Value::map_keys() const {
  if (kind_ != ValueKind::Map) throw Error(ErrorKind::InvalidArgument, "expected a map, got " + kind_name(*this));
  return tensor_;
}

const Tensor& Value::map_values() const {
  if (kind_ != ValueKind::Map) throw Error(ErrorKind::InvalidArgument, "expected a map, got " + kind_name(*this));
  return map_values_;
}

ValueType ValueType::sequence_of(ValueType element) {
  ValueType t;
  t.kind = Kind::Sequence;
  t.element = std::make_shared<ValueType>(std::move(element));
  return t;
}

ValueType ValueType::map_of(ElementType key_type, ElementType value_type) {
  ValueType t;
  t.kind = Kind::Map;
  t.key_type = key_type;
  t.element_type = value_type;
  t.element = std::make_shared<ValueType>(ValueType::tensor(value_type, PartialShape()));
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

std::string describe(const Value& value) {
  switch (value.kind()) {
    case ValueKind::Tensor: return describe(value.tensor());
    case ValueKind::Sequence:
      if (value.is_map_sequence()) return fmt::format("a sequence of {} maps", value.map_items().size());
      return fmt::format("seq({}) of {} items", to_string(value.sequence_element_type()), value.items().size());
    case ValueKind::Map: return fmt::format("a map of {} entries", value.map_keys().size());
    case ValueKind::None: return "an empty optional";
  }
  return "?";
}

}  // namespace tandem
