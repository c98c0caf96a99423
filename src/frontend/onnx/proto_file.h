// Reading and writing one protobuf message per file, with errors that name the file.
#pragma once

#include "tandem/error.h"

#include <google/protobuf/message.h>

#include <string>

namespace tandem::onnx_frontend {

/// Parses the whole file into message. Throws Error(kind, "<path>: ...") when the file cannot be
/// read or is not a valid encoding of the message (truncated, garbage, over protobuf's 2 GiB).
void parse_proto_file(const std::string& path, google::protobuf::Message& message, ErrorKind kind);
/// Parses bytes; false when they are not a valid encoding.
bool parse_proto_bytes(const void* data, size_t size, google::protobuf::Message& message);
/// Writes message to path, replacing the file. Throws Error(InvalidArgument) on failure.
void write_proto_file(const std::string& path, const google::protobuf::Message& message);
/// Whether message or any message inside it holds fields its schema does not define: the sign
/// that the bytes were written as another message type.
bool has_unknown_fields(const google::protobuf::Message& message);

}  // namespace tandem::onnx_frontend
