// Reading and writing tensors and values: numpy .npy files and ONNX .pb protos.
#pragma once

#include <string>

#include "tandem/tensor.h"
#include "tandem/value.h"

namespace tandem {

/// Reads a .npy file (a tensor) or a .pb file (TensorProto, SequenceProto, MapProto or
/// OptionalProto). Pass the declared type of the input or output it is for: a one-tensor sequence
/// and an optional tensor have identical bytes in .pb files, and numpy (which wrote ONNX's test
/// data) stores bfloat16 as uint16 bits; with the declared type both read as intended. Throws
/// InvalidArgument naming the file on malformed contents.
Value load_value(const std::string& path, const ValueType& declared = {});
/// Writes a tensor as .npy (version 1.0, little endian; bfloat16 as ml_dtypes' 'V2' convention).
void save_npy(const std::string& path, const Tensor& tensor);
/// Writes a value as an ONNX proto: TensorProto for a tensor, SequenceProto for a sequence,
/// MapProto for a map, OptionalProto when as_optional is set (an empty one for ValueKind::None).
void save_pb(const std::string& path, const Value& value, bool as_optional = false,
             const std::string& name = "");

}  // namespace tandem
