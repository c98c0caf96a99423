// Which values pass between CPU kernels in a blocked oneDNN layout instead of plain tensors.
#pragma once

#include <unordered_map>

#include "devices/cpu/kernels/onednn_layout.h"
#include "execution/graph_plan.h"

namespace tandem::cpu {

/// The layout kernels of a plan's steps, by node (the kernels the CPU device made for it).
using LayoutKernels = std::unordered_map<const ir::Node*, LayoutKernel*>;

/// Keeps a value in its producer's blocked layout where the value is no graph output and every
/// step that reads it takes that layout; returns how many values it kept blocked. Plans whose
/// graph has subgraphs are left plain: a subgraph reads its outer values by name, unseen here.
size_t assign_layouts(const execution::GraphPlan& plan, const LayoutKernels& kernels);

}  // namespace tandem::cpu
