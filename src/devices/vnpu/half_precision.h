// The VNPU's precision rewrite: a subgraph with every f32 tensor made f16, so that the reference
// kernels, which compute half types through float, give FP16 arithmetic with FP32 accumulation.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "ir/graph.h"

namespace tandem::vnpu {

struct HalfPrecisionModel {
  std::shared_ptr<ir::Model> model;
  /// Names of the Cast nodes the rewrite added (see to_half_precision); not nodes of the source.
  std::set<std::string> added_nodes;
};

/// A copy of `source` computing in f16: f32 graph inputs, outputs and declared value types become
/// f16, f32 initializers are converted once, Constant values and tensor attributes too, and dtype
/// attributes naming f32 (Cast's `to`, `dtype`, `output_dtype`) name f16. Quantisation scales and
/// Resize's scales stay f32, as ONNX requires of them: each such input that reads a converted value
/// gets a Cast to f32 of its own, placed just before its first reader (and folded at compile time
/// where the value is constant).
HalfPrecisionModel to_half_precision(const ir::Model& source);

}  // namespace tandem::vnpu
