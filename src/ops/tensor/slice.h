// Where Slice takes its output from: for the CPU's oneDNN kernel, which copies the same window.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "ops/node_context.h"
#include "tandem/tensor.h"

namespace tandem::ops {

/// The output of Slice on an input of static shape as a strided view of that input: output
/// element [i0, i1, ...] is input element base + sum(i_d * strides[d]) (steps in the strides, so
/// negative where a step is).
struct SliceView {
  Shape shape;
  std::vector<int64_t> strides;
  int64_t base = 0;
};

/// Integer input i of the node (starts, ends, axes, steps), or nullopt where it is not known.
using ReadInts = std::function<std::optional<std::vector<int64_t>>(size_t)>;

/// The view Slice takes of an input of shape `x`, as the reference kernel computes it; nullopt
/// where `read` does not know an input the view needs. Throws InvalidModel as the op does.
std::optional<SliceView> slice_view(const NodeContext& ctx, const Shape& x, const ReadInts& read);

}  // namespace tandem::ops
