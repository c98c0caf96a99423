// A subgraph compiled ahead of time for the VNPU: rewritten to f16, planned once, its weights and
// the activations of each run held in VNPU memory.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "devices/device.h"
#include "devices/vnpu/half_precision.h"
#include "execution/graph_plan.h"

namespace tandem::vnpu {

class VnpuExecutable : public devices::Executable {
 public:
  /// Throws what planning throws, and Runtime when the weights do not fit in VNPU memory.
  VnpuExecutable(std::shared_ptr<const ir::Model> subgraph, const devices::CompileOptions& options);
  VnpuExecutable(const VnpuExecutable&) = delete;
  VnpuExecutable& operator=(const VnpuExecutable&) = delete;

  /// Inputs in VNPU memory, in storage format (see memory.h); outputs likewise. Each run holds
  /// activation_bytes() of VNPU memory while it computes. Thread-safe.
  std::vector<Value> run(std::vector<Value> inputs,
                         std::vector<ProfilingInfo>* profile) const override;

  /// Bytes of VNPU memory the compiled weights (initializers and folded constants) occupy.
  size_t weight_bytes() const { return weight_bytes_; }
  /// The most bytes of activations alive at once in a run, from the static memory plan.
  size_t activation_bytes() const { return activation_bytes_; }

 private:
  VnpuExecutable(std::shared_ptr<const ir::Model> subgraph, HalfPrecisionModel half,
                 const devices::CompileOptions& options);

  std::shared_ptr<const ir::Model> source_;
  std::shared_ptr<const ir::Model> model_;  // the f16 rewrite, which plan_ refers to
  std::set<std::string> added_nodes_;
  execution::GraphPlan plan_;
  size_t weight_bytes_ = 0;
  std::shared_ptr<const void> weights_;  // their reservation in VNPU memory
  size_t activation_bytes_ = 0;
};

}  // namespace tandem::vnpu
