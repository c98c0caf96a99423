// What ONNX itself defines: every since-version of every op, generated from the onnx package.
#pragma once

#include <string_view>
#include <vector>

namespace tandem::ops {

struct OnnxOpVersions {
  std::string_view domain;  // "" for the default domain
  std::string_view name;
  std::vector<int> versions;  // ascending since-versions
};

/// The table of src/ops/onnx_op_versions.cpp (scripts/generate_onnx_op_versions.py).
const std::vector<OnnxOpVersions>& onnx_op_versions();

/// The since-version of the op that ONNX puts in force at `opset`; 0 when ONNX does not know
/// the op or it did not exist yet at that opset.
int onnx_since_version(std::string_view domain, std::string_view name, int opset);

}  // namespace tandem::ops
