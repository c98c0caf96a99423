// Node attributes: the value kinds ONNX attributes can hold.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "tandem/tensor.h"
#include "tandem/value.h"

namespace tandem::ir {

struct Graph;
using GraphPtr = std::shared_ptr<const Graph>;

using Attribute = std::variant<float, int64_t, std::string, Tensor, GraphPtr, std::vector<float>,
                               std::vector<int64_t>, std::vector<std::string>, std::vector<Tensor>,
                               std::vector<GraphPtr>, ValueType>;

/// "float", "int", "ints", "graph", … for error messages.
std::string_view attribute_kind_name(const Attribute& attribute);

}  // namespace tandem::ir
