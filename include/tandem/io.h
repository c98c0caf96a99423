// Reading and writing tensors and values: numpy .npy files and ONNX .pb protos.
#pragma once

#include <string>

#include "tandem/tensor.h"
#include "tandem/value.h"

namespace tandem {

/// Reads a .npy file (a tensor) or a .pb file (TensorProto, SequenceProto or OptionalProto; the
/// kind is detected). Throws InvalidArgument naming the file on malformed contents.
Value load_value(const std::string& path);
/// Writes a tensor as .npy (version 1.0, little endian; bfloat16 as ml_dtypes' 'V2' convention).
void save_npy(const std::string& path, const Tensor& tensor);
/// Writes a value as an ONNX proto: TensorProto for a tensor, SequenceProto for a sequence,
/// OptionalProto when as_optional is set (an empty one for ValueKind::None).
void save_pb(const std::string& path, const Value& value, bool as_optional = false,
             const std::string& name = "");

}  // namespace tandem
