// AttributeProto to ir::Attribute.
#pragma once

#include "frontend/onnx/tensor_proto.h"
#include "ir/attribute.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <string>

namespace tandem::onnx_frontend {

/// What converting a node's attributes needs from the model reader.
struct AttributeContext {
  /// "node 'n' (Op, opset k)", for messages.
  std::string node;
  /// The file and external data tensors come from.
  TensorSource tensors;
  /// Converts a subgraph (If, Loop, Scan bodies), recursively.
  std::function<ir::GraphPtr(onnx::GraphProto&)> read_graph;
};

/// Converts one attribute; tensors are moved out of proto. Throws InvalidModel for an attribute
/// whose kind cannot be told or that refers to a function's attribute, Unsupported for sparse
/// tensors and lists of types, both as "<file>: node '…' (Op, opset k): attribute 'a': …".
ir::Attribute attribute_from_proto(onnx::AttributeProto& proto, const AttributeContext& ctx);

}  // namespace tandem::onnx_frontend
