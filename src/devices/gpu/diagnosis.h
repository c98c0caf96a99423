// The NVIDIA GPU's diagnosis: the facts of a probe as checks, each with the fix a user applies.
#pragma once

#include <optional>
#include <string>

#include "devices/device.h"
#include "devices/gpu/probe.h"

namespace tandem::gpu {

/// Driver, CUDA runtime, a GPU, and tandem's GPU plugin (`execution_missing`: why it is not
/// usable, execution.h): in that order, so the summary names the most basic thing missing.
devices::Diagnosis diagnose(const GpuProbe& probe, const std::optional<std::string>& execution_missing);

}  // namespace tandem::gpu
