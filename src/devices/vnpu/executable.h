// A subgraph compiled ahead of time for the VNPU: rewritten to f16, planned once, its weights and
// the activations of each run held in VNPU memory.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "devices/device.h"
#include "devices/vnpu/half_precision.h"
#include "execution/graph_plan.h"

namespace tandem::vnpu {

class VnpuExecutable : public devices::Executable {
 public:
  /// Throws what planning throws, and Runtime when the weights do not fit in VNPU memory.
  VnpuExecutable(std::shared_ptr<const ir::Model> subgraph, const devices::CompileOptions& options);
  /// From save()'s bytes: the f16 rewrite and its memory plan as compiled, so loading converts
  /// nothing again. Throws InvalidArgument for bytes save() did not write, and as compiling does.
  static std::unique_ptr<VnpuExecutable> load(std::string_view payload,
                                              const devices::CompileOptions& options);
  /// The ahead-of-time blob's payload: the f16 subgraph as ONNX, the Casts the rewrite added, and
  /// the memory plan's figures.
  std::string save() const;
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
  struct MemoryFigures {
    size_t weight_bytes = 0, activation_bytes = 0;
  };
  /// `figures` as a saved executable gives them; without them they are computed from the plan.
  VnpuExecutable(std::shared_ptr<const ir::Model> subgraph, HalfPrecisionModel half,
                 const devices::CompileOptions& options,
                 std::optional<MemoryFigures> figures = std::nullopt);

  std::shared_ptr<const ir::Model> source_;  // null for a loaded executable
  std::shared_ptr<const ir::Model> model_;  // the f16 rewrite, which plan_ refers to
  std::set<std::string> added_nodes_;
  execution::GraphPlan plan_;
  size_t weight_bytes_ = 0;
  std::shared_ptr<const void> weights_;  // their reservation in VNPU memory
  size_t activation_bytes_ = 0;
};

}  // namespace tandem::vnpu
