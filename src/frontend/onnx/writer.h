// The IR back to ONNX: the inverse of the reader, for compiled-model blobs and tools that write
// models.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "ir/graph.h"

namespace tandem::onnx_frontend {

/// `model` as a ModelProto: its nodes with every attribute (subgraphs and tensors included),
/// initializers as raw_data (strings in string_data), inputs, outputs and value_info with their
/// types, and the opset imports. Reading the result back gives the same graph; node names are
/// written even where the reader made them up, so they stay the same. Throws InvalidArgument for
/// an attribute or initializer holding an empty tensor.
onnx::ModelProto model_to_proto(const ir::Model& model);

/// model_to_proto, serialised. Throws InvalidArgument when the model exceeds protobuf's 2 GiB.
std::string write_model(const ir::Model& model);

}  // namespace tandem::onnx_frontend
