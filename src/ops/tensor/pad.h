// What Pad does to each dimension: for the CPU's oneDNN kernel, which copies the input into the
// same place of its output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/node_context.h"

namespace tandem::ops {

/// "constant", "reflect", "edge" or "wrap"; throws InvalidModel for another or one too new.
std::string pad_mode(const NodeContext& ctx);

/// Pads over every dimension ([begin_0 … begin_r-1, end_0 … end_r-1]) from `pads` over `axes`
/// (every axis where absent) of a tensor of `rank`. Throws InvalidModel where they do not fit.
std::vector<int64_t> full_pads(const NodeContext& ctx, const std::vector<int64_t>& pads,
                               const std::optional<std::vector<int64_t>>& axes, size_t rank);

/// Where output coordinate `o` of a dimension reads from in `mode`, or -1 for the constant.
/// Negative pads crop first: the dimension is [lo, hi) of the input, and positive pads, `begin`
/// of them before it, extend that.
int64_t pad_source(const std::string& mode, int64_t o, int64_t begin, int64_t lo, int64_t hi);

}  // namespace tandem::ops
