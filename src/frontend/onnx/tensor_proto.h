// TensorProto to tandem::Tensor and back: every element type, typed fields, raw and external data.
#pragma once

#include "tandem/error.h"
#include "tandem/tensor.h"

#include <onnx/onnx_pb.h>

#include <string>

namespace tandem::onnx_frontend {

class ExternalData;

/// Where tensors are read from: the file messages name, the kind of error a bad tensor is, and the
/// model's external data (null where external data is not allowed).
struct TensorSource {
  std::string file;
  ErrorKind error_kind = ErrorKind::InvalidModel;
  ExternalData* external_data = nullptr;
};

/// Converts proto, moving its raw_data into the tensor: the bytes are shared, not copied, unless
/// they are misaligned for the element type. External data is a view of the mapped file. Throws
/// Error(source.error_kind, "<file>: <label>: ...") when the data does not fill the shape exactly,
/// and Unsupported for element types tandem lacks. label defaults to "tensor '<name>'".
Tensor tensor_from_proto(onnx::TensorProto& proto, const TensorSource& source, const std::string& label = "");

/// The proto of a tensor: raw_data for numbers, string_data for strings.
onnx::TensorProto tensor_to_proto(const Tensor& tensor, const std::string& name = "");

}  // namespace tandem::onnx_frontend
