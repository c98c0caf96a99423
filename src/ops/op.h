// An op's definition: versions, shape and type inference, and the reference kernel.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "ops/infer_context.h"
#include "ops/kernel_context.h"

namespace tandem::ops {

using InferFn = void (*)(InferContext&);
using KernelFn = void (*)(KernelContext&);

/// One op of one domain. `versions` lists the opsets that changed the op (its "since" versions),
/// ascending; a model's opset picks the newest one not above it. The functions branch on
/// ctx.opset() where versions differ.
struct OpDef {
  std::string_view name;
  std::string_view domain;  // "" for the default ONNX domain
  std::vector<int> versions;
  InferFn infer = nullptr;
  KernelFn reference = nullptr;

  /// The version of this op in force at `opset`; 0 when the op did not exist yet.
  int since_version(int opset) const;
};

}  // namespace tandem::ops
