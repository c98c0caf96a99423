// How a device launched a model's work: the evidence that a static model runs as one launch.
#pragma once

#include <cstdint>

namespace tandem {

/// What a device enqueued for a model's runs since it was compiled: whole subgraphs at once (a
/// CUDA graph launch each) and kernels one by one (the GPU's profiled runs, or a run whose
/// capture failed). A device whose kernels run on host threads (the CPU, the VNPU) counts none.
struct DeviceLaunches {
  int64_t graphs = 0;
  int64_t kernels = 0;
};

}  // namespace tandem
