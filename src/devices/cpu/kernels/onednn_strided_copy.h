// The kernel behind Transpose and Slice: the input seen through strides (and an offset) over the
// output's dimensions, copied into the plain output by a oneDNN reorder. oneDNN's jit reorder moves
// blocks on every thread; the reference's strided copy walks element by element on one.
#pragma once

#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string_view>
#include <vector>

#include "execution/kernel.h"
#include "ops/op.h"

namespace tandem::cpu {

/// For a node of `op` reading an f32 input of shape `x` as output element [i0, i1, ...] = input
/// element offset + sum(i_d * strides[d]) over the output's `dims`: null where oneDNN has no such
/// view or only its naive loops for it. `constants` are the data of the node's constant inputs by
/// input index (null for the rest), which a run must bring unchanged.
std::unique_ptr<execution::Kernel> make_strided_copy(std::string_view op, Shape x, std::vector<const void*> constants,
                                                     const dnnl::memory::dims& dims, const dnnl::memory::dims& strides,
                                                     int64_t offset, ops::KernelFn reference);

}  // namespace tandem::cpu
