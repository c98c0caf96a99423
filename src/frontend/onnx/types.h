// ONNX TypeProto and TensorProto.DataType to tandem's ValueType and ElementType, and back.
#pragma once

#include "tandem/value.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

namespace tandem::onnx_frontend {

/// The element type of an ONNX TensorProto.DataType number; Undefined for numbers tandem does not
/// know (float8 and later additions).
ElementType element_type_from_onnx(int64_t data_type);

/// A declared type. where prefixes messages ("model.onnx: input 'x'"); throws Unsupported for
/// sparse tensors, opaque types and unknown element types, InvalidModel for negative dimensions.
ValueType value_type_from_proto(const onnx::TypeProto& proto, const std::string& where);
onnx::TypeProto value_type_to_proto(const ValueType& type);

}  // namespace tandem::onnx_frontend
