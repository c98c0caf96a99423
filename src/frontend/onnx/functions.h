// Model-local functions (ModelProto.functions, IR version 8): calls are replaced by the bodies.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

namespace tandem::onnx_frontend {

/// Replaces every call of a model-local function, in the main graph and in subgraphs, by the
/// function's nodes: formal inputs and outputs become the call's values, the body's own values
/// get the call node's name as a prefix ("call/tmp"), and attributes referring to the function's
/// attributes (ref_attr_name) take the call's values or are dropped to the op's default. Throws
/// InvalidModel "<path>: …" for recursive functions.
void inline_functions(onnx::ModelProto& model, const std::string& path);

}  // namespace tandem::onnx_frontend
