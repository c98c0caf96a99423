// What flows along a graph edge: a tensor, a sequence of tensors, or an empty optional.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tandem/shape.h"
#include "tandem/tensor.h"

namespace tandem {

enum class ValueKind { None, Tensor, Sequence };

/// A runtime value. An ONNX optional holding something is represented by that something; an
/// empty optional is ValueKind::None. Sequences remember their element type even when empty.
class Value {
 public:
  Value() = default;
  Value(Tensor tensor) : kind_(ValueKind::Tensor), tensor_(std::move(tensor)) {}  // NOLINT
  static Value sequence(std::vector<Tensor> items, ElementType element_type);
  static Value none() { return Value(); }

  ValueKind kind() const { return kind_; }
  bool is_tensor() const { return kind_ == ValueKind::Tensor; }
  bool is_sequence() const { return kind_ == ValueKind::Sequence; }
  bool is_none() const { return kind_ == ValueKind::None; }

  /// Throws InvalidArgument unless this is a tensor.
  const Tensor& tensor() const;
  Tensor& tensor();
  /// Throws InvalidArgument unless this is a sequence.
  const std::vector<Tensor>& items() const;
  std::vector<Tensor>& items();
  ElementType sequence_element_type() const { return sequence_type_; }

 private:
  ValueKind kind_ = ValueKind::None;
  Tensor tensor_;
  std::vector<Tensor> items_;
  ElementType sequence_type_ = ElementType::Undefined;
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
  bool is_tensor() const { return kind == Kind::Tensor; }
  bool operator==(const ValueType& other) const;
};

/// "f32[1,3,224,224]", "seq(f32[?])", "optional(i64[])".
std::string to_string(const ValueType& type);

/// A named input or output of a model.
struct Port {
  std::string name;
  ValueType type;
};

}  // namespace tandem
