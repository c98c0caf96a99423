// The Intel NPU's diagnosis: the facts of a probe as checks, each with the fix a user applies.
#pragma once

#include "devices/device.h"
#include "devices/npu/probe.h"

namespace tandem::npu {

/// Device node, kernel module, permission, Level Zero loader, NPU driver library: in that order,
/// so the summary names the most basic thing missing.
devices::Diagnosis diagnose(const NpuProbe& probe);

}  // namespace tandem::npu
