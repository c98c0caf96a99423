// Reading an ONNX model file into the IR.
#pragma once

#include "ir/graph.h"

#include <onnx/onnx_pb.h>

#include <memory>
#include <string>
#include <string_view>

namespace tandem::onnx_frontend {

/// Reads the model at path with its external data. Throws InvalidModel "<path>: …" for files that
/// are missing, truncated or not a model, and Unsupported for constructs tandem lacks (sparse
/// tensors, unknown element types), naming the node, op, domain and opset where it applies.
std::shared_ptr<ir::Model> read_model(const std::string& path);

/// Converts an already parsed model; tensors are moved out of proto. path locates external data
/// and names the model in messages.
std::shared_ptr<ir::Model> convert_model(onnx::ModelProto& proto, const std::string& path);

/// Reads a model from ONNX bytes in memory (write_model's); `where` names it in messages and
/// locates external data. Throws InvalidModel "<where>: …" for bytes that are not a model.
std::shared_ptr<ir::Model> read_model_bytes(std::string_view bytes, const std::string& where);

}  // namespace tandem::onnx_frontend
