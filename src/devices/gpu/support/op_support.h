// Which nodes the GPU runs, judged on the CPU at placement time from the op, its attributes and
// the types and shapes the planner inferred: plain C++, built with or without CUDA, so that every
// build can test the judgments. Each family of kernels (devices/gpu/cuda/kernels/) has its
// judge here, beside the kernels' own make_*_kernel, which must accept every node its judge does.
#pragma once

#include <optional>

#include "devices/device.h"
#include "execution/kernel.h"

namespace tandem::gpu {

/// A family's answer: nullopt where the op is not one of the family's, else yes or no with the
/// reason for the placement report.
std::optional<devices::Support> elementwise_support(const execution::NodeInfo& info);
std::optional<devices::Support> normalization_support(const execution::NodeInfo& info);
std::optional<devices::Support> data_movement_support(const execution::NodeInfo& info);
std::optional<devices::Support> matmul_support(const execution::NodeInfo& info);
std::optional<devices::Support> attention_support(const execution::NodeInfo& info);
std::optional<devices::Support> conv_support(const execution::NodeInfo& info);
std::optional<devices::Support> pool_support(const execution::NodeInfo& info);

/// Every family asked in turn, after the checks all share: static shapes, and tensors only.
devices::Support gpu_support(const execution::NodeInfo& info);

}  // namespace tandem::gpu
