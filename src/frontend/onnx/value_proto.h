// .pb files of values: a TensorProto, SequenceProto, MapProto or OptionalProto, as ONNX test data
// holds them.
#pragma once

#include "tandem/value.h"

#include <string>

namespace tandem::onnx_frontend {

/// Reads a .pb file. The files carry no marker of their message type, so it is told from the
/// fields: a SequenceProto of tensors or of maps, else an OptionalProto, else a MapProto (int64 or
/// string keys, scalar values), else a TensorProto. The bytes of an
/// optional tensor and of a one-tensor sequence are identical (the two messages share field
/// numbers); without expected that reads as a sequence. Pass the declared type of the input or
/// output (expected) to settle it. Throws InvalidArgument naming the file on malformed contents.
Value read_value_file(const std::string& path, const ValueType* expected = nullptr);

/// Writes a tensor as TensorProto, a sequence as SequenceProto and a map as MapProto (its values a
/// sequence of scalar tensors, as onnx.numpy_helper.from_dict writes them); with as_optional, or for an
/// empty value, an OptionalProto around them. Throws InvalidArgument when the file cannot be
/// written.
void write_value_file(const std::string& path, const Value& value, bool as_optional = false,
                      const std::string& name = "");

}  // namespace tandem::onnx_frontend
