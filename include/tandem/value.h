// What flows along a graph edge: a tensor, a sequence of tensors or of maps, a map, or an empty
// optional.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tandem/shape.h"
#include "tandem/tensor.h"

namespace tandem {

enum class ValueKind { None, Tensor, Sequence, Map };

/// A runtime value. An ONNX optional holding something is represented by that something; an
/// empty optional is ValueKind::None. Sequences remember their element type even when empty.
/// A map is ONNX's MapProto: N keys (a 1-D int64 or string tensor) and their N values (a 1-D
/// tensor), entry i mapping keys[i] to values[i] in the order the producer wrote them.
class Value {
 public:
  Value() = default;
  Value(Tensor tensor) : kind_(ValueKind::Tensor), tensor_(std::move(tensor)) {}  // NOLINT
  static Value sequence(std::vector<Tensor> items, ElementType element_type);
  /// Throws InvalidArgument unless keys is a 1-D int64 or string tensor and values a 1-D tensor
  /// of as many elements.
  static Value map(Tensor keys, Tensor values);
  /// A sequence whose elements are maps (ZipMap's output). Throws InvalidArgument unless every
  /// element is a map with these key and value element types.
  static Value map_sequence(std::vector<Value> maps, ElementType key_type, ElementType value_type);
  static Value none() { return Value(); }

  ValueKind kind() const { return kind_; }
  bool is_tensor() const { return kind_ == ValueKind::Tensor; }
  bool is_sequence() const { return kind_ == ValueKind::Sequence; }
  bool is_map() const { return kind_ == ValueKind::Map; }
  bool is_none() const { return kind_ == ValueKind::None; }
  /// Whether this is a sequence of maps rather than of tensors.
  bool is_map_sequence() const { return is_sequence() && sequence_key_type_ != ElementType::Undefined; }

  /// Throws InvalidArgument unless this is a tensor.
  const Tensor& tensor() const;
  Tensor& tensor();
  /// Throws InvalidArgument unless this is a sequence of tensors.
  const std::vector<Tensor>& items() const;
  std::vector<Tensor>& items();
  /// Throws InvalidArgument unless this is a sequence of maps.
  const std::vector<Value>& map_items() const;
  /// A sequence's element type; for a sequence of maps, that of the maps' values.
  ElementType sequence_element_type() const { return sequence_type_; }
  /// For a sequence of maps, the key type of its maps; else Undefined.
  ElementType sequence_key_type() const { return sequence_key_type_; }
  /// Throw InvalidArgument unless this is a map.
  const Tensor& map_keys() const;
  const Tensor& map_values() const;

 private:
  ValueKind kind_ = ValueKind::None;
  Tensor tensor_;  // a tensor, or a map's keys
  Tensor map_values_;
  std::vector<Tensor> items_;
  std::vector<Value> map_items_;
  ElementType sequence_type_ = ElementType::Undefined;
  ElementType sequence_key_type_ = ElementType::Undefined;
};

/// The declared type of a graph input or output, as the model states it.
struct ValueType {
  enum class Kind { Unknown, Tensor, Sequence, Optional, Map };
  Kind kind = Kind::Unknown;
  ElementType element_type = ElementType::Undefined;  // tensors; also the map's value type
  PartialShape shape;                                  // tensors
  std::shared_ptr<ValueType> element;                  // sequences and optionals
  ElementType key_type = ElementType::Undefined;       // maps

  static ValueType tensor(ElementType type, PartialShape shape) {
    return ValueType{Kind::Tensor, type, std::move(shape), nullptr};
  }
  static ValueType sequence_of(ValueType element);
  static ValueType optional_of(ValueType element);
  /// map(key_type, value_type), its values scalars of value_type as MapProto holds them.
  static ValueType map_of(ElementType key_type, ElementType value_type);
  bool is_tensor() const { return kind == Kind::Tensor; }
  bool operator==(const ValueType& other) const;
};

/// "f32[1,3,224,224]", "seq(f32[?])", "optional(i64[])", "map(string,f32[])".
std::string to_string(const ValueType& type);

/// A named input or output of a model.
struct Port {
  std::string name;
  ValueType type;
};

/// "f32[1,3]", "seq(f32) of 2 items", "a sequence of 3 maps", "a map of 4 entries",
/// "an empty optional": for messages and tools.
std::string describe(const Value& value);

}  // namespace tandem
